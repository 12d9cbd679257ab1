import { poolError } from '../pool.errors.js';
import { hostKey, type PoolState } from '../pool.state.js';
import type { Host, Network, Vm } from '../pool.types.js';
import { getHost } from './lookups.js';

/**
 * A host reaches `device` through its bond of that name, or through its PIF of that name when
 * the PIF is not a bond member (XAPI's "non-bond-slave PIF", DESIGN §1).
 */
export const hostHasDevice = (state: PoolState, hostId: string, device: string): boolean => {
  const key = hostKey(hostId, device);
  if (state.indexes.bondByDevice.has(key)) return true;
  const host = state.hosts.get(hostId);
  if (host?.managementOnly === device) return false; // ResetHostNetworking
  return host?.pifs.has(device) === true && !state.indexes.bondByMember.has(key);
};

/** The distinct networks of a VM's VIFs. */
export const vmNetworks = (state: PoolState, vmId: string): Network[] => {
  const networks = new Map<string, Network>();
  for (const vifId of state.indexes.vifsByVm.get(vmId)?.values() ?? []) {
    const networkId = state.vifs.get(vifId)?.networkId;
    const network = networkId === undefined ? undefined : state.networks.get(networkId);
    if (network) networks.set(network.id, network);
  }
  return [...networks.values()];
};

/**
 * Refuses, listing them, the external networks the host has no uplink for, and the overlay
 * networks when the host has no tunnel endpoint.
 */
export const requireUplinks = (state: PoolState, host: Host, networks: Network[]): void => {
  const missing = networks.filter((network) =>
    network.kind === 'external'
      ? !hostHasDevice(state, host.id, network.device)
      : network.kind === 'overlay' && host.tunnel === null,
  );
  if (missing.length === 0) return;
  const names = missing.map((network) => network.name).join(', ');
  throw poolError('MISSING_UPLINKS', `host ${host.id} has no uplink for network(s) ${names}`, {
    hostId: host.id,
    networks: missing.map((network) => ({
      networkId: network.id,
      name: network.name,
      device: network.kind === 'external' ? network.device : null,
      vlan: network.kind === 'external' ? network.vlan : null,
    })),
  });
};

/** Where a VM may start or migrate to: an existing, enabled host with all its uplinks. */
export const requirePlacement = (state: PoolState, hostId: unknown, vm: Vm): Host => {
  const host = getHost(state, hostId);
  if (host.state !== 'enabled') {
    throw poolError('HOST_DISABLED', `host ${host.id} is disabled and takes no VMs`, {
      hostId: host.id,
    });
  }
  requireUplinks(state, host, vmNetworks(state, vm.id));
  return host;
};

/** VMs running on the host or migrating to it: those whose ports the host carries. */
const vmsOnHost = (state: PoolState, hostId: string): string[] => {
  const vmIds = [...(state.indexes.runningVmsByHost.get(hostId) ?? [])];
  for (const migration of state.migrations.values()) {
    if (migration.toHostId === hostId) vmIds.push(migration.vmId);
  }
  return vmIds;
};

/** Refuses to take `device` away from a host while one of its VMs reaches a network through it. */
export const requireDeviceUnused = (state: PoolState, hostId: string, device: string): void => {
  for (const vmId of vmsOnHost(state, hostId)) {
    for (const network of vmNetworks(state, vmId)) {
      if (network.kind === 'external' && network.device === device) {
        throw poolError(
          'UPLINK_IN_USE',
          `VM ${vmId} on host ${hostId} reaches network ${network.name} through ${device}`,
          { hostId, device, vmId, networkId: network.id },
        );
      }
    }
  }
};
