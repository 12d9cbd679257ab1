import type {
  PoolTopology,
  TopologyHost,
  TopologyMigration,
  TopologyVif,
  TopologyVm,
} from './topology.js';
import type { Uplink } from './host-state.js';

export interface PlacedVif {
  vif: TopologyVif;
  forwarding: boolean;
}

type Role = 'active' | 'pending' | undefined;

/**
 * Where a running VM's ports live (DESIGN §5, OVN/Neutron dual binding): the source keeps the
 * forwarding ports until activation; the target holds pending ones from `requested` on, and they
 * forward from `activated`, when the source's are removed.
 */
function roleOn(vm: TopologyVm, migration: TopologyMigration | undefined, hostId: string): Role {
  if (vm.powerState !== 'running') return undefined;
  if (migration && migration.fromHost !== migration.toHost) {
    const activated = migration.phase === 'activated';
    if (migration.toHost === hostId) return activated ? 'active' : 'pending';
    if (migration.fromHost === hostId) return activated ? undefined : 'active';
    return undefined;
  }
  return vm.residentHost === hostId ? 'active' : undefined;
}

export function placedVifs(topology: PoolTopology, hostId: string): PlacedVif[] {
  const migrations = new Map(topology.migrations.map((m) => [m.vmId, m]));
  const roles = new Map<string, Role>();
  for (const vm of topology.vms) roles.set(vm.id, roleOn(vm, migrations.get(vm.id), hostId));
  const placed: PlacedVif[] = [];
  for (const vif of topology.vifs) {
    const role = roles.get(vif.vmId);
    if (role) placed.push({ vif, forwarding: role === 'active' });
  }
  return placed;
}

/**
 * The devices a host can uplink a network to: its bonds, and its PIFs that are not bond members
 * (a member belongs to its bond and carries no network of its own).
 */
export function uplinkDevices(host: TopologyHost): Map<string, Omit<Uplink, 'bridge'>> {
  const members = new Set(host.bonds.flatMap((b) => b.members));
  const devices = new Map<string, Omit<Uplink, 'bridge'>>();
  for (const pif of host.pifs) {
    if (!members.has(pif.device)) devices.set(pif.device, { device: pif.device });
  }
  for (const bond of host.bonds) {
    devices.set(bond.device, {
      device: bond.device,
      bond: { members: [...bond.members], mode: bond.mode },
    });
  }
  return devices;
}
