import type { PoolCommand } from './pool.commands.js';
import { poolError } from './pool.errors.js';
import type { PoolEvent } from './pool.events.js';
import type { PoolState } from './pool.state.js';
import { createAclRule, deleteAclRule } from './slices/acls.decide.js';
import * as addressSets from './slices/address-sets.decide.js';
import { createBond, destroyBond } from './slices/bonds.decide.js';
import * as hosts from './slices/hosts.decide.js';
import { configureHostInterface, removeHostInterface } from './slices/host-interfaces.decide.js';
import * as migrations from './slices/migrations.decide.js';
import * as networkSafety from './slices/network-safety.decide.js';
import { createMirror, deleteMirror } from './slices/mirrors.decide.js';
import * as networks from './slices/networks.decide.js';
import { setTunnelEndpoint } from './slices/overlay.decide.js';
import { createPool, renamePool } from './slices/pools.decide.js';
import * as groups from './slices/security-groups.decide.js';
import { createVif, destroyVif, updateVif } from './slices/vifs.decide.js';
import * as vms from './slices/vms.decide.js';

/**
 * Turns a command into the events that record it, or throws a `DomainError` and records
 * nothing. Never changes `state`. A command that would change nothing decides `[]`.
 */
export const decide = (command: PoolCommand, state: PoolState): PoolEvent[] => {
  if (state.status === 'Empty' && command.type !== 'CreatePool') {
    throw poolError('POOL_NOT_FOUND', 'this pool does not exist');
  }
  switch (command.type) {
    case 'CreatePool':
      return createPool(command, state);
    case 'RenamePool':
      return renamePool(command, state);
    case 'JoinHost':
      return hosts.joinHost(command, state);
    case 'EnableHost':
      return hosts.enableHost(command, state);
    case 'DisableHost':
      return hosts.disableHost(command, state);
    case 'EjectHost':
      return hosts.ejectHost(command, state);
    case 'RecordNetworkRollback':
      return networkSafety.recordNetworkRollback(command, state);
    case 'ResetHostNetworking':
      return networkSafety.resetHostNetworking(command, state);
    case 'SetPifRole':
      return hosts.setPifRole(command, state);
    case 'SetPifMtu':
      return hosts.setPifMtu(command, state);
    case 'SetTunnelEndpoint':
      return setTunnelEndpoint(command, state);
    case 'ConfigureHostInterface':
      return configureHostInterface(command, state);
    case 'RemoveHostInterface':
      return removeHostInterface(command, state);
    case 'CreateBond':
      return createBond(command, state);
    case 'DestroyBond':
      return destroyBond(command, state);
    case 'CreateNetwork':
      return networks.createNetwork(command, state);
    case 'UpdateNetwork':
      return networks.updateNetwork(command, state);
    case 'DestroyNetwork':
      return networks.destroyNetwork(command, state);
    case 'SetNetworkAclDefault':
      return networks.setNetworkAclDefault(command, state);
    case 'CreateVm':
      return vms.createVm(command, state);
    case 'RenameVm':
      return vms.renameVm(command, state);
    case 'StartVm':
      return vms.startVm(command, state);
    case 'StopVm':
      return vms.stopVm(command, state);
    case 'DestroyVm':
      return vms.destroyVm(command, state);
    case 'CreateVif':
      return createVif(command, state);
    case 'UpdateVif':
      return updateVif(command, state);
    case 'DestroyVif':
      return destroyVif(command, state);
    case 'CreateAclRule':
      return createAclRule(command, state);
    case 'DeleteAclRule':
      return deleteAclRule(command, state);
    case 'CreateAddressSet':
      return addressSets.createAddressSet(command, state);
    case 'UpdateAddressSet':
      return addressSets.updateAddressSet(command, state);
    case 'DeleteAddressSet':
      return addressSets.deleteAddressSet(command, state);
    case 'CreateSecurityGroup':
      return groups.createSecurityGroup(command, state);
    case 'SetSecurityGroupPolicy':
      return groups.setSecurityGroupPolicy(command, state);
    case 'AddSecurityGroupMember':
      return groups.addSecurityGroupMember(command, state);
    case 'RemoveSecurityGroupMember':
      return groups.removeSecurityGroupMember(command, state);
    case 'DeleteSecurityGroup':
      return groups.deleteSecurityGroup(command, state);
    case 'CreateMirror':
      return createMirror(command, state);
    case 'DeleteMirror':
      return deleteMirror(command, state);
    case 'RequestMigration':
      return migrations.requestMigration(command, state);
    case 'PrepareMigration':
      return migrations.prepareMigration(command, state);
    case 'ActivateMigration':
      return migrations.activateMigration(command, state);
    case 'CompleteMigration':
      return migrations.completeMigration(command, state);
    case 'AbortMigration':
      return migrations.abortMigration(command, state);
    default: {
      // Reached only by commands from untyped transports.
      const unknown: never = command;
      const type = (unknown as { type?: unknown }).type;
      throw poolError('UNKNOWN_COMMAND', `unknown command ${String(type)}`, { type });
    }
  }
};
