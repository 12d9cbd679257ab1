import { canonicalJson } from './canonical.js';
import type { HostSwitchState } from './host-state.js';

/**
 * The part of a host's switch state that decides whether the host's NICs still carry what they
 * carried: its uplink bridges (which NIC or bond each holds, the bond's members and mode),
 * which network bridge reaches which uplink with which VLAN, and the host's own interfaces
 * (where each address sits: PIF, bond or internal port, its VLAN, its addresses and gateway).
 * A change here can cut the host off its management path (a NIC moved into a bridge, a bond
 * over the management NIC, a wrong VLAN tag, the management address moved onto a VLAN the
 * physical switch does not carry), so the member host applies it under its network watchdog;
 * ports, ACLs, QoS or tunnels never move a NIC and pass without one. The management
 * interface's DNS servers count too: a host that reaches NATS by name loses it with a wrong
 * resolver as surely as with a wrong VLAN (a storage interface's DNS is never written, so not).
 */
export function uplinkShape(state: HostSwitchState): string {
  // Absent without interfaces, so a hold saved before they counted still matches its shape.
  const interfaces = state.interfaces?.length
    ? {
        interfaces: state.interfaces
          .map((i) => ({
            name: i.name,
            device: i.device,
            bridge: i.bridge ?? null,
            vlan: i.vlan ?? null,
            ipv4: i.ipv4,
            ipv6: i.ipv6,
            // Absent without servers, so a hold saved before DNS counted still matches.
            ...(i.purpose === 'management' && i.dns?.length ? { dns: i.dns } : {}),
          }))
          .sort((a, b) => a.name.localeCompare(b.name)),
      }
    : {};
  return canonicalJson({
    ...interfaces,
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
