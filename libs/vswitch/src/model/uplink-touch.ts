import { canonicalJson } from './canonical.js';
import type { HostSwitchState } from './host-state.js';

/**
 * The part of a host's switch state that decides whether the host's NICs still carry what they
 * carried: its uplink bridges (which NIC or bond each holds, the bond's members and mode) and
 * which network bridge reaches which uplink with which VLAN. A change here can cut the host off
 * its management path (a NIC moved into a bridge, a bond over the management NIC, a wrong VLAN
 * tag), so the member host applies it under its network watchdog; ports, ACLs, QoS or tunnels
 * never move a NIC and pass without one.
 */
export function uplinkShape(state: HostSwitchState): string {
  return canonicalJson({
    uplinks: [...state.uplinks]
      .map((u) => ({
        device: u.device,
        bridge: u.bridge,
        bond: u.bond ? { members: [...u.bond.members].sort(), mode: u.bond.mode } : null,
      }))
      .sort((a, b) => a.bridge.localeCompare(b.bridge)),
    bridges: state.bridges
      .filter((b) => b.uplink)
      .map((b) => ({ bridge: b.name, device: b.uplink!.device, vlan: b.uplink!.vlan ?? null }))
      .sort((a, b) => a.bridge.localeCompare(b.bridge)),
  });
}

/** Whether going from `before` to `after` changes what the host's NICs carry. */
export const touchesUplinks = (before: HostSwitchState, after: HostSwitchState): boolean =>
  uplinkShape(before) !== uplinkShape(after);

/**
 * Whether `device` is enslaved to a bridge the host owns (as the NIC of an uplink bridge or a
 * member of a bond): its own IP configuration then no longer answers. The memory datapath's
 * model of a change that cuts a host off its management path (see MemoryVSwitchDriver).
 */
export const deviceBridged = (state: HostSwitchState, device: string): boolean =>
  state.uplinks.some((u) => (u.bond ? u.bond.members.includes(device) : u.device === device));
