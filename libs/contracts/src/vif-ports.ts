import { bridgeName, portName } from './switch-names.js';

/*
 * Where a VIF's switch port is, from the log alone: which hosts hold it, under which bridge and
 * port name. Shared by the vSwitch model (each host's desired state) and the read API, so what an
 * operator reads is what the hosts build.
 */

/** A port that forwards (`active`), or is held but must not forward yet (`pending`). */
export type PortRole = 'active' | 'pending';

/**
 * A migrating port's part in a handover the VM activates (`activation: 'vm'`): the target's
 * port is `armed` (it opens in the datapath on the VM's first announcement from it), the
 * source's is `watched` (it forwards, and closes in the datapath when that announcement
 * reaches its host from elsewhere).
 */
export type PortHandover = 'armed' | 'watched';

export interface PortHost {
  hostId: string;
  role: PortRole;
  handover?: PortHandover;
}

export interface PlacedVmState {
  powerState: string;
  /** Where it runs; absent or null while it is halted. */
  residentHost?: string | null;
}

export interface PlacingMigration {
  fromHost: string;
  toHost: string;
  phase: 'requested' | 'prepared' | 'activated';
  /**
   * Who activates it, as `MigrationPrepared` recorded (absent: the coordinator): `vm`, the
   * VM's own announcement on the target, in the datapath.
   */
  activation?: 'vm' | 'coordinator';
}

/**
 * The hosts that hold a VM's ports (DESIGN §5, after OVN/Neutron's dual binding):
 *
 * | phase     | source | target  |
 * |-----------|--------|---------|
 * | requested | active | pending |
 * | prepared  | pending| pending |
 * | activated | —      | active  |
 *
 * Break before make: the source stops forwarding at `prepared`, the target starts at `activated`,
 * so a VIF never has two forwarding ports. A halted VM has none; without a migration (or one to
 * its own host) a running VM's ports are on its resident host.
 *
 * Activated by the VM (`activation: 'vm'`), `prepared` is instead: source active and watched,
 * target pending and armed. The VM's announcement on the target opens the target and closes
 * the source in the datapath (libs/vswitch handover-flows.ts), so the switch-over happens when
 * the hypervisor resumes the VM, and the log records it afterwards (`activated`).
 */
export function portHosts(vm: PlacedVmState, migration?: PlacingMigration): PortHost[] {
  if (vm.powerState !== 'running') return [];
  if (migration && migration.fromHost !== migration.toHost) {
    const { fromHost, toHost, phase } = migration;
    if (phase === 'activated') return [{ hostId: toHost, role: 'active' }];
    if (phase === 'prepared' && migration.activation === 'vm') {
      return [
        { hostId: fromHost, role: 'active', handover: 'watched' },
        { hostId: toHost, role: 'pending', handover: 'armed' },
      ];
    }
    const source: PortRole = phase === 'requested' ? 'active' : 'pending';
    return [
      { hostId: fromHost, role: source },
      { hostId: toHost, role: 'pending' },
    ];
  }
  return vm.residentHost ? [{ hostId: vm.residentHost, role: 'active' }] : [];
}

/** A VIF's switch port names: the same on every host, known before any device exists. */
export interface VifSwitchNames {
  /**
   * The Open vSwitch port, and the name of the network device the hypervisor creates for the VIF
   * (a tap, or the host end of a veth): the member host adds that device to the bridge by name.
   */
  port: string;
  /** The network's bridge the port is on. */
  bridge: string;
}

/** One host's port of a VIF. */
export interface VifPortView extends VifSwitchNames {
  hostId: string;
  /** As the log places it (not as the host reports it): `pending` during a migration. */
  role: PortRole;
  /**
   * From the host's reports (read API only): false while the port's device is absent, the
   * hypervisor not having plugged the VM's NIC there yet; the port then forwards as soon as it
   * does. Absent otherwise (plugged, or not reported yet).
   */
  plugged?: false;
  /**
   * From the host's reports (read API only): the hypervisor's device the host adopted for the
   * port (libvirt's `vnetN`, found by `external_ids:iface-id`), when it is not `port`.
   */
  device?: string;
}

export const vifSwitchNames = (vif: { id: string; networkId: string }): VifSwitchNames => ({
  port: portName(vif.id),
  bridge: bridgeName(vif.networkId),
});

/** A VIF's ports on each host its VM's placement puts them on, in `portHosts` order. */
export function vifPorts(
  vif: { id: string; networkId: string },
  hosts: readonly PortHost[],
): VifPortView[] {
  const names = vifSwitchNames(vif);
  return hosts.map(({ hostId, role }) => ({ hostId, ...names, role }));
}
