import { IdField } from './fields.js';

/**
 * The data of a command that names one object and nothing else (EnableHost, DestroyVm…). The
 * class is built per command so that OpenAPI shows each under its own name.
 */
export function idOnlySchema(name: string, field: string, description: string): new () => object {
  const schema = class {};
  Object.defineProperty(schema, 'name', { value: name });
  IdField({ description })(schema.prototype, field);
  return schema;
}

export const EnableHostData = idOnlySchema('EnableHostData', 'hostId', 'The host id');
export const DisableHostData = idOnlySchema('DisableHostData', 'hostId', 'The host id');
export const EjectHostData = idOnlySchema('EjectHostData', 'hostId', 'The host id');
export const DestroyBondData = idOnlySchema('DestroyBondData', 'bondId', 'The bond id');
export const DestroyNetworkData = idOnlySchema('DestroyNetworkData', 'networkId', 'The network id');
export const DestroyVmData = idOnlySchema('DestroyVmData', 'vmId', 'The VM id');
export const DestroyVifData = idOnlySchema('DestroyVifData', 'vifId', 'The VIF id');
export const DeleteAclRuleData = idOnlySchema('DeleteAclRuleData', 'ruleId', 'The ACL rule id');
export const DeleteMirrorData = idOnlySchema('DeleteMirrorData', 'mirrorId', 'The mirror id');
export const DeleteAddressSetData = idOnlySchema(
  'DeleteAddressSetData',
  'addressSetId',
  'The address set id',
);
export const DeleteSecurityGroupData = idOnlySchema(
  'DeleteSecurityGroupData',
  'groupId',
  'The security group id',
);
export const CompleteMigrationData = idOnlySchema(
  'CompleteMigrationData',
  'migrationId',
  'The migration id',
);
