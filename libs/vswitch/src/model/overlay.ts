import { portHosts } from '@pool/contracts';
import type { TunnelPort } from './host-state.js';
import { tunnelPortName, type NameRegistry } from './naming.js';
import type { PoolTopology, TopologyHost, TopologyNetwork } from './topology.js';

/*
 * Overlay networks: each host derives its tunnels from the topology alone, so every host
 * computes the same full mesh with no centre to elect (XO's SDN controller picks a star centre
 * that must be re-elected when it goes; here no host is special).
 */

/** An overlay network's VNI, or undefined for another kind. */
export const vniOf = (network: TopologyNetwork): number | undefined =>
  network.kind.type === 'overlay' ? network.kind.vni : undefined;

/**
 * Per overlay network, the hosts that carry it: those with a port for one of its VIFs (the VM
 * runs there, or a migration moves it from or to there: the target's tunnels exist from
 * `requested` on, before it forwards) that are not ejected and declare a tunnel endpoint.
 * One pass over the VIFs, whatever the number of hosts.
 */
export function overlayCarriers(topology: PoolTopology): Map<string, Set<string>> {
  const overlays = new Set(
    topology.networks.filter((n) => vniOf(n) !== undefined).map((n) => n.id),
  );
  const carriers = new Map<string, Set<string>>();
  if (overlays.size === 0) return carriers;
  const endpoints = new Set(
    topology.hosts.filter((h) => h.state !== 'ejected' && h.tunnel).map((h) => h.id),
  );
  const vms = new Map(topology.vms.map((vm) => [vm.id, vm]));
  const migrations = new Map(topology.migrations.map((m) => [m.vmId, m]));
  for (const vif of topology.vifs) {
    const vm = vms.get(vif.vmId);
    if (!vm || !overlays.has(vif.networkId)) continue;
    for (const { hostId } of portHosts(vm, migrations.get(vm.id))) {
      if (!endpoints.has(hostId)) continue;
      const hosts = carriers.get(vif.networkId) ?? new Set<string>();
      carriers.set(vif.networkId, hosts.add(hostId));
    }
  }
  return carriers;
}

/** The host's tunnels for one overlay network: one to every other host carrying it. */
export function tunnelsFor(
  topology: PoolTopology,
  host: TopologyHost & { tunnel: NonNullable<TopologyHost['tunnel']> },
  network: TopologyNetwork,
  carriers: ReadonlySet<string>,
  names: NameRegistry,
): TunnelPort[] {
  const vni = vniOf(network);
  if (vni === undefined) return [];
  return topology.hosts
    .filter((remote) => remote.id !== host.id && carriers.has(remote.id) && remote.tunnel)
    .map((remote) => ({
      name: names.claim(
        tunnelPortName(network.id, remote.id),
        `tunnel ${network.id} to ${remote.id}`,
      ),
      remoteHost: remote.id,
      remoteIp: remote.tunnel!.address,
      localIp: host.tunnel.address,
      vni,
    }));
}
