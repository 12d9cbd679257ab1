import type { Mirror, MirrorTunnel } from './host-state.js';
import type { MirrorRealisation } from './mirror-legs.js';
import { mirrorName, mirrorTunnelPortName, portName, type NameRegistry } from './naming.js';
import type { PoolTopology, TopologyHost, TunnelEndpoint } from './topology.js';

/** What one network bridge of a host holds for mirrors. */
export interface BridgeMirrors {
  mirrors: Mirror[];
  mirrorTunnels: MirrorTunnel[];
}

/**
 * The mirrors and mirror tunnels of one host's bridges, by network, from the pool's mirror legs
 * (mirror-legs.ts): a local leg is a mirror on the monitor's bridge; a tunnel leg is, on its
 * source host, a mirror into a GRE port towards the monitor's host and, on the monitor's host,
 * the matching GRE port that delivers to the monitor's port.
 */
export function mirrorsOnHost(
  topology: PoolTopology,
  host: TopologyHost,
  realisations: MirrorRealisation[],
  names: NameRegistry,
): Map<string, BridgeMirrors> {
  const byNetwork = new Map<string, BridgeMirrors>();
  const on = (networkId: string): BridgeMirrors => {
    let found = byNetwork.get(networkId);
    if (!found) byNetwork.set(networkId, (found = { mirrors: [], mirrorTunnels: [] }));
    return found;
  };
  const mirrors = new Map(topology.mirrors.map((m) => [m.id, m]));
  const vifs = new Map(topology.vifs.map((v) => [v.id, v]));
  const endpoints = new Map(topology.hosts.map((h) => [h.id, h.tunnel]));
  const port = (vifId: string) => names.claim(portName(vifId), `vif ${vifId}`);
  for (const { mirrorId, monitorHost, monitorVifId, legs } of realisations) {
    const mirror = mirrors.get(mirrorId);
    const monitorNetwork = vifs.get(monitorVifId)?.networkId;
    if (!mirror || monitorHost === undefined || monitorNetwork === undefined) continue;
    const row = (outputPort: string, vifIds: string[]): Mirror => ({
      name: names.claim(mirrorName(mirrorId), `mirror ${mirrorId}`),
      mirrorId,
      direction: mirror.direction,
      sourcePorts: vifIds.map(port).sort(),
      outputPort,
    });
    for (const leg of legs) {
      if (leg.via === 'local') {
        if (leg.sourceHost === host.id)
          on(leg.networkId).mirrors.push(row(port(monitorVifId), leg.vifIds));
        continue;
      }
      const [local, remote] =
        leg.sourceHost === host.id
          ? [host.tunnel, monitorHost]
          : monitorHost === host.id
            ? [host.tunnel, leg.sourceHost]
            : [undefined, undefined];
      const remoteEndpoint: TunnelEndpoint | undefined = remote ? endpoints.get(remote) : undefined;
      if (!local || !remote || !remoteEndpoint || leg.key === undefined) continue;
      const tunnel: MirrorTunnel = {
        name: names.claim(
          mirrorTunnelPortName(mirrorId, leg.networkId, remote),
          `mirror tunnel ${mirrorId} ${leg.networkId} to ${remote}`,
        ),
        mirrorId,
        remoteHost: remote,
        remoteIp: remoteEndpoint.address,
        localIp: local.address,
        key: leg.key,
      };
      if (leg.sourceHost === host.id) {
        const bridge = on(leg.networkId);
        bridge.mirrorTunnels.push(tunnel);
        bridge.mirrors.push(row(tunnel.name, leg.vifIds));
      } else {
        on(monitorNetwork).mirrorTunnels.push({ ...tunnel, deliverTo: port(monitorVifId) });
      }
    }
  }
  return byNetwork;
}
