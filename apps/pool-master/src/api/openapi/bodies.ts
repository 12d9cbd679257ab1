import { type Type } from '@nestjs/common';
import { IntersectionType, OmitType, PartialType, PickType } from '@nestjs/swagger';
import {
  CreateAclRuleData,
  CreateAddressSetData,
  ConfigureHostInterfaceData,
  CreateBondData,
  CreateExternalNetworkData,
  CreateMirrorData,
  CreatePoolData,
  CreatePrivateNetworkData,
  CreateOverlayNetworkData,
  CreateSecurityGroupData,
  CreateVifData,
  CreateVmData,
  EnumField,
  IntField,
  JoinHostData,
  RenameVmData,
  RequestMigrationData,
  SetNetworkAclDefaultData,
  SetSecurityGroupPolicyData,
  StartVmData,
  UpdateAddressSetData,
  UpdateNetworkData,
  UpdateVifData,
  SetTunnelEndpointData,
} from '../command-schemas/index.js';
import { PIF_ROLES } from '@pool/domain';

/*
 * Request bodies as OpenAPI shows them: a command's data without what the URL names, and with
 * the new object's id optional (the server makes a UUID). Validation runs on the whole command
 * data (validateCommand), never on these.
 */

const withOptionalId = <T, K extends keyof T>(schema: Type<T>, key: K) =>
  IntersectionType(OmitType(schema, [key] as const), PartialType(PickType(schema, [key] as const)));

export class CreatePoolBody extends withOptionalId(CreatePoolData, 'poolId') {}
export class JoinHostBody extends withOptionalId(JoinHostData, 'hostId') {}
export class CreateBondBody extends withOptionalId(CreateBondData, 'bondId') {}
export class ExternalNetworkBody extends withOptionalId(CreateExternalNetworkData, 'networkId') {}
export class PrivateNetworkBody extends withOptionalId(CreatePrivateNetworkData, 'networkId') {}
export class OverlayNetworkBody extends withOptionalId(CreateOverlayNetworkData, 'networkId') {}
export class UpdateNetworkBody extends OmitType(UpdateNetworkData, ['networkId'] as const) {}
export class CreateVmBody extends withOptionalId(CreateVmData, 'vmId') {}
export class RenameVmBody extends OmitType(RenameVmData, ['vmId'] as const) {}
export class StartVmBody extends OmitType(StartVmData, ['vmId'] as const) {}
export class CreateVifBody extends withOptionalId(
  OmitType(CreateVifData, ['vmId'] as const),
  'vifId',
) {}
export class UpdateVifBody extends OmitType(UpdateVifData, ['vifId'] as const) {}
export class CreateAclRuleBody extends withOptionalId(CreateAclRuleData, 'ruleId') {}
export class CreateMirrorBody extends withOptionalId(CreateMirrorData, 'mirrorId') {}
export class CreateAddressSetBody extends withOptionalId(CreateAddressSetData, 'addressSetId') {}
export class UpdateAddressSetBody extends OmitType(UpdateAddressSetData, [
  'addressSetId',
] as const) {}
export class CreateSecurityGroupBody extends withOptionalId(CreateSecurityGroupData, 'groupId') {}
export class SecurityGroupPolicyBody extends OmitType(SetSecurityGroupPolicyData, [
  'groupId',
] as const) {}
export class NetworkAclDefaultBody extends OmitType(SetNetworkAclDefaultData, [
  'networkId',
] as const) {}
export class MigrateVmBody extends withOptionalId(
  OmitType(RequestMigrationData, ['vmId'] as const),
  'migrationId',
) {}

/** PUT .../pifs/:device: SetPifRole and/or SetPifMtu. */
export class PifSettingsBody {
  @EnumField(PIF_ROLES, { description: 'The traffic the PIF carries', presence: 'optional' })
  role?: string;

  @IntField({ description: 'MTU, 68–9216', presence: 'optional', minimum: 68, maximum: 9216 })
  mtu?: number;
}

export const BODY_MODELS: Type<unknown>[] = [ExternalNetworkBody, PrivateNetworkBody];

/** PUT .../hosts/:host/interfaces/:name: ConfigureHostInterface. */
export class HostInterfaceBody extends OmitType(ConfigureHostInterfaceData, [
  'hostId',
  'name',
] as const) {}

/** PUT .../hosts/:host/tunnel-endpoint: SetTunnelEndpoint. */
export class TunnelEndpointBody extends OmitType(SetTunnelEndpointData, ['hostId'] as const) {}
