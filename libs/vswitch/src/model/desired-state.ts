import { normalizeQos, normalizeState } from './canonical.js';
import {
  emptyState,
  type Bridge,
  type HostDesiredState,
  type Port,
  type Uplink,
} from './host-state.js';
import { bridgeName, NameRegistry, patchPortNames, portName, uplinkBridgeName } from './naming.js';
import { securedAddresses } from './port-security.js';
import { placedVifs, uplinkDevices, type PlacedVif } from './placement.js';
import { overlayCarriers, tunnelsFor } from './overlay.js';
import { aclsFor, mirrorsFor, PolicyIndex } from './policy.js';
import type { PoolTopology, TopologyNetwork, TopologyVif } from './topology.js';

/**
 * The switches one host should have (DESIGN §1 "vSwitch"). Pure: the same topology gives the same
 * state, in the same order, on the master and on every host.
 *
 * A VIF whose external network has no uplink on this host gets no port: the decider refuses to
 * place such a VM, and a port on an unconnected bridge would only hide the error.
 */
export function desiredState(topology: PoolTopology, hostId: string): HostDesiredState {
  const host = topology.hosts.find((h) => h.id === hostId);
  if (!host || host.state === 'ejected') return emptyState();

  const names = new NameRegistry();
  const policy = new PolicyIndex(topology);
  const devices = uplinkDevices(host);
  const placed = placedVifs(topology, hostId);
  const uplinks = new Map<string, Uplink>();
  const bridges: Bridge[] = [];
  const carriers = overlayCarriers(topology);
  const uplinkOf = (device: Omit<Uplink, 'bridge'>): void => {
    if (uplinks.has(device.device)) return;
    const bridge = names.claim(uplinkBridgeName(device.device), `device ${device.device}`);
    uplinks.set(device.device, { ...device, bridge });
  };

  for (const network of topology.networks) {
    const onNetwork = placed.filter((p) => p.vif.networkId === network.id);
    const { kind } = network;
    if (kind.type === 'external') {
      const device = devices.get(kind.device);
      if (!device) continue;
      uplinkOf(device);
      const bridge = networkBridge(topology, policy, network, onNetwork, names);
      bridges.push({ ...bridge, uplink: { device: device.device, vlan: kind.vlan } });
    } else if (kind.type === 'overlay') {
      // The tunnels leave through the uplink bridge of the endpoint's device, which holds the
      // host's underlay address (the userspace datapath routes tunnels out of a bridge).
      const { tunnel } = host;
      const device = tunnel && devices.get(tunnel.device);
      if (onNetwork.length === 0 || !tunnel || !device) continue;
      uplinkOf(device);
      const bridge = networkBridge(topology, policy, network, onNetwork, names);
      const mesh = carriers.get(network.id) ?? new Set<string>();
      const tunnels = tunnelsFor(topology, { ...host, tunnel }, network, mesh, names);
      bridges.push(tunnels.length > 0 ? { ...bridge, tunnels } : bridge);
    } else if (onNetwork.length > 0) {
      bridges.push(networkBridge(topology, policy, network, onNetwork, names));
    }
  }
  return normalizeState({ uplinks: [...uplinks.values()], bridges });
}

function networkBridge(
  topology: PoolTopology,
  policy: PolicyIndex,
  network: TopologyNetwork,
  placed: PlacedVif[],
  names: NameRegistry,
): Bridge {
  const owner = `network ${network.id}`;
  const name = names.claim(bridgeName(network.id), owner);
  const patches = patchPortNames(name);
  names.claim(patches.bridgeSide, owner);
  names.claim(patches.uplinkSide, owner);

  const ports = new Map<string, { port: Port; vif: TopologyVif }>();
  for (const { vif, forwarding } of placed) {
    ports.set(vif.id, { port: vifPort(topology, policy, vif, forwarding, names), vif });
  }
  return {
    name,
    networkId: network.id,
    mtu: network.mtu,
    ports: [...ports.values()].map((p) => p.port),
    mirrors: mirrorsFor(topology, network.id, ports, names, policy),
  };
}

function vifPort(
  topology: PoolTopology,
  policy: PolicyIndex,
  vif: TopologyVif,
  forwarding: boolean,
  names: NameRegistry,
): Port {
  return {
    name: names.claim(portName(vif.id), `vif ${vif.id}`),
    vifId: vif.id,
    vmId: vif.vmId,
    mac: vif.mac.toLowerCase(),
    ipv4: vif.ipv4,
    ipv6: vif.ipv6,
    ...securedAddresses(vif),
    qos: normalizeQos(vif.qos),
    portSecurity: vif.portSecurity,
    forwarding,
    acls: aclsFor(topology, vif, policy),
    ...(policy.aclDefaultOf(vif) ? { aclDefault: 'deny' as const } : {}),
  };
}
