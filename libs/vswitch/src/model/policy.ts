import { compareAcls } from './canonical.js';
import type { AclRule, Mirror, Port } from './host-state.js';
import { mirrorName, type NameRegistry } from './naming.js';
import type { PoolTopology, Scope, TopologyVif } from './topology.js';

const inScope = (scope: Scope, vif: TopologyVif): boolean =>
  'vifId' in scope ? scope.vifId === vif.id : scope.networkId === vif.networkId;

/** Pool-wide rules land on every port they cover: the network's rules plus the VIF's own. */
export function aclsFor(topology: PoolTopology, vif: TopologyVif): AclRule[] {
  return topology.acls
    .filter((acl) => inScope(acl.scope, vif))
    .map(({ id, direction, priority, match, action, stateless }) => ({
      id,
      direction,
      priority,
      match: { ...match },
      action,
      // Only where it changes something, so stateful rules read back from OVS compare equal.
      ...(stateless && action === 'allow' ? { stateless: true } : {}),
    }))
    .sort(compareAcls);
}

/**
 * Open vSwitch mirrors within one bridge, so a mirror is realised on the bridge that holds its
 * forwarding destination port, selecting the forwarding source ports on that same bridge. Sources
 * on other hosts or networks would need RSPAN/ERSPAN tunnels, which this model does not build.
 */
export function mirrorsFor(
  topology: PoolTopology,
  networkId: string,
  ports: Map<string, { port: Port; vif: TopologyVif }>,
  names: NameRegistry,
): Mirror[] {
  const mirrors: Mirror[] = [];
  for (const mirror of topology.mirrors) {
    const output = ports.get(mirror.destinationVifId);
    if (!output?.port.forwarding || output.vif.networkId !== networkId) continue;
    const sourcePorts = [...ports.values()]
      .filter(({ port }) => port.forwarding && port !== output.port)
      .filter(({ vif }) => inScope(mirror.source, vif))
      .map(({ port }) => port.name)
      .sort();
    if (sourcePorts.length === 0) continue;
    mirrors.push({
      name: names.claim(mirrorName(mirror.id), `mirror ${mirror.id}`),
      mirrorId: mirror.id,
      direction: mirror.direction,
      sourcePorts,
      outputPort: output.port.name,
    });
  }
  return mirrors;
}
