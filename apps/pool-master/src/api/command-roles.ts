import { type Role } from '@pool/platform';
import { type CommandType, isCommandType } from './command-schemas/command-schemas.js';

/**
 * The least bearer-token role that may run each command (DESIGN §6). REST routes declare theirs
 * with `@RequireRole` on their controller (command-roles.spec checks the two agree); gRPC's
 * Execute and NATS (the role its subject names, nats-sender) run any command, so they look the
 * role up here: one table for the three transports (access-control.e2e-spec runs it on each).
 */
export const COMMAND_ROLES: Record<CommandType, Role> = {
  CreatePool: 'admin',
  RenamePool: 'admin',
  JoinHost: 'admin',
  EnableHost: 'admin',
  DisableHost: 'admin',
  EjectHost: 'admin',
  // A member host sends its own rollback over NATS as role host (HOST_COMMAND_HOST_FIELD).
  RecordNetworkRollback: 'admin',
  ResetHostNetworking: 'admin',
  SetPifRole: 'admin',
  SetPifMtu: 'admin',
  SetTunnelEndpoint: 'admin',
  ConfigureHostInterface: 'admin',
  RemoveHostInterface: 'admin',
  CreateBond: 'admin',
  DestroyBond: 'admin',
  CreateNetwork: 'admin',
  UpdateNetwork: 'admin',
  DestroyNetwork: 'admin',
  // An operator runs VMs: their life cycle, their VIFs and where they run.
  CreateVm: 'operator',
  RenameVm: 'operator',
  StartVm: 'operator',
  StopVm: 'operator',
  DestroyVm: 'operator',
  CreateVif: 'operator',
  UpdateVif: 'operator',
  DestroyVif: 'operator',
  RequestMigration: 'operator',
  CreateAclRule: 'admin',
  DeleteAclRule: 'admin',
  // Security groups and address sets are policy, as ACL rules are: the same role for each
  // (adding a VIF to a group changes what reaches it, so it is not an operator's VIF work).
  CreateAddressSet: 'admin',
  UpdateAddressSet: 'admin',
  DeleteAddressSet: 'admin',
  CreateSecurityGroup: 'admin',
  SetSecurityGroupPolicy: 'admin',
  AddSecurityGroupMember: 'admin',
  RemoveSecurityGroupMember: 'admin',
  DeleteSecurityGroup: 'admin',
  SetNetworkAclDefault: 'admin',
  CreateMirror: 'admin',
  DeleteMirror: 'admin',
  // The coordinator's steps of a migration (DESIGN §5): it sends them over NATS.
  PrepareMigration: 'admin',
  ActivateMigration: 'admin',
  CompleteMigration: 'admin',
  AbortMigration: 'admin',
};

/** An unknown type needs admin: it is refused as unknown only once the caller may know why. */
export const roleForCommand = (type: string): Role =>
  isCommandType(type) ? COMMAND_ROLES[type] : 'admin';
