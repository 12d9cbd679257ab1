import { type PoolCommandType } from '@pool/domain';
import { AclMatchData, CreateAclRuleData } from './acl.schemas.js';
import { CreateAddressSetData, UpdateAddressSetData } from './address-set.schemas.js';
import { CreateBondData } from './bond.schemas.js';
import {
  JoinHostData,
  PifInventoryData,
  SetPifMtuData,
  SetPifRoleData,
  SetTunnelEndpointData,
} from './host.schemas.js';
import {
  ConfigureHostInterfaceData,
  IpConfigData,
  RemoveHostInterfaceData,
} from './host-interface.schemas.js';
import * as idOnly from './id-only.schemas.js';
import { CreateMirrorData } from './mirror.schemas.js';
import { RecordNetworkRollbackData, ResetHostNetworkingData } from './network-safety.schemas.js';
import {
  AbortMigrationData,
  ActivateMigrationData,
  PrepareMigrationData,
  RequestMigrationData,
} from './migration.schemas.js';
import {
  CreateExternalNetworkData,
  createNetworkSchema,
  CreatePrivateNetworkData,
  CreateOverlayNetworkData,
  SetNetworkAclDefaultData,
  UpdateNetworkData,
} from './network.schemas.js';
import { CreatePoolData, RenamePoolData } from './pool.schemas.js';
import { GroupScopeData, NetworkScopeData, VifScopeData } from './scope.schemas.js';
import {
  AddSecurityGroupMemberData,
  CreateSecurityGroupData,
  RemoveSecurityGroupMemberData,
  SetSecurityGroupPolicyData,
} from './security-group.schemas.js';
import { CreateVifData, QosData, UpdateVifData } from './vif.schemas.js';
import { CreateVmData, RenameVmData, StartVmData, StopVmData } from './vm.schemas.js';

export type Schema = new () => object;
/** A class, or a choice of class by the data (for `kind`-discriminated commands). */
export type SchemaEntry = Schema | { select: (data: Record<string, unknown>) => Schema };

/** The shape of every command's data; `satisfies` keeps it in step with the domain. */
export const COMMAND_SCHEMAS = {
  CreatePool: CreatePoolData,
  RenamePool: RenamePoolData,
  JoinHost: JoinHostData,
  EnableHost: idOnly.EnableHostData,
  DisableHost: idOnly.DisableHostData,
  EjectHost: idOnly.EjectHostData,
  RecordNetworkRollback: RecordNetworkRollbackData,
  ResetHostNetworking: ResetHostNetworkingData,
  SetPifRole: SetPifRoleData,
  SetPifMtu: SetPifMtuData,
  SetTunnelEndpoint: SetTunnelEndpointData,
  ConfigureHostInterface: ConfigureHostInterfaceData,
  RemoveHostInterface: RemoveHostInterfaceData,
  CreateBond: CreateBondData,
  DestroyBond: idOnly.DestroyBondData,
  CreateNetwork: { select: createNetworkSchema },
  UpdateNetwork: UpdateNetworkData,
  DestroyNetwork: idOnly.DestroyNetworkData,
  CreateVm: CreateVmData,
  RenameVm: RenameVmData,
  StartVm: StartVmData,
  StopVm: StopVmData,
  DestroyVm: idOnly.DestroyVmData,
  CreateVif: CreateVifData,
  UpdateVif: UpdateVifData,
  DestroyVif: idOnly.DestroyVifData,
  CreateAclRule: CreateAclRuleData,
  DeleteAclRule: idOnly.DeleteAclRuleData,
  CreateAddressSet: CreateAddressSetData,
  UpdateAddressSet: UpdateAddressSetData,
  DeleteAddressSet: idOnly.DeleteAddressSetData,
  CreateSecurityGroup: CreateSecurityGroupData,
  SetSecurityGroupPolicy: SetSecurityGroupPolicyData,
  AddSecurityGroupMember: AddSecurityGroupMemberData,
  RemoveSecurityGroupMember: RemoveSecurityGroupMemberData,
  DeleteSecurityGroup: idOnly.DeleteSecurityGroupData,
  SetNetworkAclDefault: SetNetworkAclDefaultData,
  CreateMirror: CreateMirrorData,
  DeleteMirror: idOnly.DeleteMirrorData,
  RequestMigration: RequestMigrationData,
  PrepareMigration: PrepareMigrationData,
  ActivateMigration: ActivateMigrationData,
  CompleteMigration: idOnly.CompleteMigrationData,
  AbortMigration: AbortMigrationData,
} as const satisfies Record<PoolCommandType, SchemaEntry>;

export type CommandType = keyof typeof COMMAND_SCHEMAS;

export const isCommandType = (type: string): type is CommandType =>
  Object.hasOwn(COMMAND_SCHEMAS, type);

/** Models only nested or chosen by `kind`, which OpenAPI must be told about. */
export const EXTRA_SCHEMAS: Schema[] = [
  CreateExternalNetworkData,
  CreatePrivateNetworkData,
  CreateOverlayNetworkData,
  NetworkScopeData,
  VifScopeData,
  GroupScopeData,
  PifInventoryData,
  QosData,
  AclMatchData,
  IpConfigData,
];
