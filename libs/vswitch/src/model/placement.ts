import type {
  PoolTopology,
  TopologyHost,
  TopologyMigration,
  TopologyVif,
  TopologyVm,
} from './topology.js';
import { portHosts, type PortHandover, type PortHost } from '@pool/contracts';
import type { Uplink } from './host-state.js';

export interface PlacedVif {
  vif: TopologyVif;
  forwarding: boolean;
  handover?: PortHandover;
}

type Role = PortHost | undefined;

/**
 * Where a running VM's ports live during a migration, and whether they forward: `portHosts`
 * (libs/contracts), which the read API shows too, so operators read what hosts build.
 *
 * Break before make. Hosts apply the log independently, each at its own pace, so no single
 * event may both stop one host's port and start another's: the host that applies `activated`
 * first would forward while the other still does. Instead the source stops forwarding at
 * `prepared` (the hypervisor has paused the VM to move it, so it sends nothing anyway), and the
 * coordinator issues `activated` only after the source has reported, at a version at or past
 * `prepared`, that the ports no longer forward. A VIF therefore never has two forwarding ports;
 * the price is the gap between the two reports, which is the migration's downtime. An abort
 * drops the migration, so the source's ports are `active` again and the target's go.
 */
const roleOn = (vm: TopologyVm, migration: TopologyMigration | undefined, hostId: string): Role =>
  portHosts(vm, migration).find((h) => h.hostId === hostId);

export function placedVifs(topology: PoolTopology, hostId: string): PlacedVif[] {
  const migrations = new Map(topology.migrations.map((m) => [m.vmId, m]));
  const roles = new Map<string, Role>();
  for (const vm of topology.vms) roles.set(vm.id, roleOn(vm, migrations.get(vm.id), hostId));
  const placed: PlacedVif[] = [];
  for (const vif of topology.vifs) {
    const role = roles.get(vif.vmId);
    if (role) {
      const { handover } = role;
      placed.push({ vif, forwarding: role.role === 'active', ...(handover ? { handover } : {}) });
    }
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
