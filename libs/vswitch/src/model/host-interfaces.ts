import type { HostInterface, Uplink } from './host-state.js';
import type { NameRegistry } from './naming.js';
import type { TopologyHost } from './topology.js';

/**
 * Where each of the host's own interfaces lives (DESIGN §1, host interfaces). One placed
 * `internal` is an internal port on the uplink bridge of its device, which it creates when no
 * network has yet (`claimUplink`), tagged with its VLAN: networks on the same NIC then share the
 * bridge with it, as XAPI keeps the management address on the NIC's bridge. One placed `pif`
 * keeps its address on the PIF itself, out of every bridge (the decider refuses to bridge it).
 * An interface on a device the host lacks (a bond member: the decider moves it with the bond)
 * has no place and is left out.
 */
export function hostInterfaces(
  host: TopologyHost,
  devices: Map<string, Omit<Uplink, 'bridge'>>,
  claimUplink: (device: Omit<Uplink, 'bridge'>) => void,
  uplinks: Map<string, Uplink>,
  names: NameRegistry,
): HostInterface[] {
  const placed: HostInterface[] = [];
  for (const i of host.interfaces ?? []) {
    const device = devices.get(i.device);
    // On the NIC itself it needs no uplink: a reset host's management NIC is given as none.
    if (!device && i.placement !== 'pif') continue;
    const { placement: _, ...common } = i;
    const dns = i.dns?.length ? { dns: [...i.dns] } : { dns: undefined };
    if (i.placement === 'pif') {
      placed.push({ ...common, ...dns, vlan: undefined });
      continue;
    }
    claimUplink(device!);
    const bridge = uplinks.get(i.device)!.bridge;
    placed.push({ ...common, ...dns, name: names.claim(i.name, `interface ${i.name}`), bridge });
  }
  return placed;
}
