import type { PoolEvent, PoolState } from '@pool/domain';

/**
 * Which overlay meshes an event may change, looked at right after it was folded into `state`:
 * none, those of some networks, or any (`all`). A mesh depends on which running VMs have a VIF
 * on the network, where they run or migrate, and each such host's state and tunnel endpoint;
 * an MTU, a name, an ACL, a group or a mirror changes no mesh, nor do a host's NICs, bonds and
 * interfaces (a mesh holds the other hosts' ids and endpoints alone, peerHostOf; this host's own
 * are derived afresh every time). Every event type is decided here
 * (the switch is exhaustive), so a new one cannot slip through as "none" by default.
 */
export function meshTouch(state: PoolState, event: PoolEvent): 'all' | readonly string[] {
  switch (event.type) {
    case 'PoolCreated':
    case 'PoolRenamed':
    case 'HostNetworkRolledBack':
    case 'NetworkRenamed':
    case 'NetworkMtuChanged':
    case 'NetworkAclDefaultChanged':
    case 'VmCreated': // halted: on no host
    case 'VmRenamed':
    case 'VifUpdated': // addresses, QoS, port security: not its network
    case 'AclRuleCreated':
    case 'AclRuleDeleted':
    case 'AddressSetCreated':
    case 'AddressSetUpdated':
    case 'AddressSetDeleted':
    case 'SecurityGroupCreated':
    case 'SecurityGroupPolicyChanged':
    case 'SecurityGroupMemberAdded':
    case 'SecurityGroupMemberRemoved':
    case 'SecurityGroupDeleted':
    case 'MirrorCreated':
    case 'MirrorDeleted':
    case 'HostJoined': // runs no VM yet
    case 'PifRoleChanged':
    case 'PifMtuChanged':
    case 'HostInterfaceConfigured':
    case 'HostInterfaceRemoved':
    case 'BondCreated':
    case 'BondDestroyed':
      return [];
    case 'NetworkCreated':
    case 'NetworkDestroyed':
      return [event.data.networkId];
    case 'VifCreated':
      return [event.data.networkId];
    case 'VmStarted':
    case 'VmStopped':
    case 'MigrationRequested':
    case 'MigrationCompleted':
    case 'MigrationAborted':
      return networksOfVm(state, event.data.vmId);
    case 'MigrationPrepared':
    case 'MigrationActivated': {
      const vmId = state.migrations.get(event.data.migrationId)?.vmId;
      return vmId === undefined ? 'all' : networksOfVm(state, vmId);
    }
    // A host's endpoint, state or management NIC (tunnelOf) is in every mesh it carries; the
    // VIFs of a destroyed VIF or VM are gone by the time it is folded. Rare: every mesh again.
    case 'TunnelEndpointSet':
    case 'TunnelEndpointCleared':
    case 'HostNetworkingReset':
    case 'ManagementPifMoved':
    case 'HostEnabled':
    case 'HostDisabled':
    case 'HostEjected':
    case 'VmDestroyed':
    case 'VifDestroyed':
      return 'all';
  }
}

const networksOfVm = (state: PoolState, vmId: string): string[] =>
  [...(state.indexes.vifsByVm.get(vmId)?.values() ?? [])].flatMap(
    (vifId) => state.vifs.get(vifId)?.networkId ?? [],
  );
