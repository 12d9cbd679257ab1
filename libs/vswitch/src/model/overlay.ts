import { portHosts } from '@pool/contracts';
import type { TunnelPort } from './host-state.js';
import { NameGroup, tunnelPortName, type NameRegistry } from './naming.js';
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

/**
 * The other hosts that carry `networkId`, for `host`'s tunnels: as the topology lists them when
 * it brings them (`overlayRemotes`), otherwise those of `carriers` with an endpoint.
 */
export function overlayRemotes(
  topology: PoolTopology,
  host: TopologyHost,
  networkId: string,
  carriers: () => ReadonlyMap<string, ReadonlySet<string>>,
): readonly TopologyHost[] {
  if (topology.overlayRemotes) return topology.overlayRemotes.get(networkId) ?? [];
  const mesh = carriers().get(networkId);
  return mesh
    ? topology.hosts.filter((remote) => remote.id !== host.id && mesh.has(remote.id))
    : [];
}

/**
 * The mesh each host last derived per overlay network, with the remotes it came from. A full
 * mesh is one tunnel per other host, and a host derives its desired state after every event:
 * handing an unchanged mesh on as the same array lets the planner and the digest skip it by
 * identity (canonical.ts) instead of comparing and sorting a thousand tunnels per event; the
 * same remotes array (a member host's incremental derivation, pool-topology host-derivation.ts)
 * is not even compared. Keyed by host and network; a member host holds one host, the converge
 * bench's workers hundreds; bounded all the same.
 */
const lastMesh = new Map<
  string,
  { remotes: readonly TopologyHost[]; localIp: string; vni: number; tunnels: TunnelPort[] }
>();

const sameTunnel = (a: TunnelPort | undefined, b: Omit<TunnelPort, 'name'>): boolean =>
  a !== undefined &&
  a.remoteHost === b.remoteHost &&
  a.remoteIp === b.remoteIp &&
  a.localIp === b.localIp &&
  a.vni === b.vni;

/** The host's tunnels for one overlay network: one to every other host carrying it. */
export function tunnelsFor(
  host: TopologyHost & { tunnel: NonNullable<TopologyHost['tunnel']> },
  network: TopologyNetwork,
  candidates: readonly TopologyHost[],
  names: NameRegistry,
): TunnelPort[] {
  const vni = vniOf(network);
  if (vni === undefined) return [];
  const localIp = host.tunnel.address;
  const key = `${host.id}\0${network.id}`;
  const last = lastMesh.get(key);
  const same = last?.remotes === candidates && last.localIp === localIp && last.vni === vni;
  const remotes = same ? [] : candidates.filter((remote) => remote.id !== host.id && remote.tunnel);
  const unchanged =
    same ||
    (last !== undefined &&
      last.tunnels.length === remotes.length &&
      remotes.every((remote, i) =>
        sameTunnel(last.tunnels[i], {
          remoteHost: remote.id,
          remoteIp: remote.tunnel!.address,
          localIp,
          vni,
        }),
      ));
  const tunnels = unchanged
    ? last.tunnels
    : remotes.map((remote) => ({
        name: tunnelPortName(network.id, remote.id),
        remoteHost: remote.id,
        remoteIp: remote.tunnel!.address,
        localIp,
        vni,
      }));
  // Claimed every time, reused or not: a clash with a name elsewhere in this state is refused.
  names.claimGroup(meshNames(network.id, tunnels));
  if (same) return tunnels; // as remembered, remotes array and all
  if (!unchanged && lastMesh.size >= 4096) lastMesh.clear(); // networks deleted long ago
  lastMesh.set(key, { remotes: candidates, localIp, vni, tunnels });
  return tunnels;
}

/**
 * A mesh's tunnel names as one group, made once per mesh: a kept mesh is the same array from
 * one event to the next, so its thousand names are not claimed again after every event.
 */
const meshGroups = new WeakMap<readonly TunnelPort[], { networkId: string; group: NameGroup }>();

function meshNames(networkId: string, tunnels: readonly TunnelPort[]): NameGroup {
  const known = meshGroups.get(tunnels);
  if (known?.networkId === networkId) return known.group;
  const group = new NameGroup(
    tunnels.map((t) => [t.name, `tunnel ${networkId} to ${t.remoteHost}`] as const),
  );
  meshGroups.set(tunnels, { networkId, group });
  return group;
}
