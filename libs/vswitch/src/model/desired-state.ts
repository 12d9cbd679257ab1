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
import { overlayCarriers, overlayRemotes, tunnelsFor } from './overlay.js';
import { hostInterfaces } from './host-interfaces.js';
import { aclsFor, PolicyIndex } from './policy.js';
import { mirrorsOnHost, type BridgeMirrors } from './host-mirrors.js';
import { mirrorRealisations } from './mirror-legs.js';
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
  let carriers: Map<string, Set<string>> | undefined;
  const carriersOnce = () => (carriers ??= overlayCarriers(topology));
  const mirrors = mirrorsOnHost(topology, host, mirrorRealisations(topology, policy), names);
  const uplinkOf = (device: Omit<Uplink, 'bridge'>): void => {
    if (uplinks.has(device.device)) return;
    const bridge = names.claim(uplinkBridgeName(device.device), `device ${device.device}`);
    uplinks.set(device.device, { ...device, bridge });
  };
  // Mirror tunnels leave, like overlay ones, through the uplink bridge of the endpoint's device.
  const endpointDevice = host.tunnel && devices.get(host.tunnel.device);
  if (endpointDevice && [...mirrors.values()].some((m) => m.mirrorTunnels.length > 0)) {
    uplinkOf(endpointDevice);
  }

  const bridgeOf = (network: TopologyNetwork, onNetwork: PlacedVif[]) =>
    networkBridge(topology, policy, network, onNetwork, names, mirrors.get(network.id));

  for (const network of topology.networks) {
    const onNetwork = placed.filter((p) => p.vif.networkId === network.id);
    const { kind } = network;
    if (kind.type === 'external') {
      const device = devices.get(kind.device);
      if (!device) continue;
      uplinkOf(device);
      const bridge = bridgeOf(network, onNetwork);
      bridges.push({ ...bridge, uplink: { device: device.device, vlan: kind.vlan } });
    } else if (kind.type === 'overlay') {
      // The tunnels leave through the uplink bridge of the endpoint's device, which holds the
      // host's underlay address (the userspace datapath routes tunnels out of a bridge).
      const { tunnel } = host;
      const device = tunnel && devices.get(tunnel.device);
      if (onNetwork.length === 0 || !tunnel || !device) continue;
      uplinkOf(device);
      const bridge = bridgeOf(network, onNetwork);
      const remotes = overlayRemotes(topology, host, network.id, carriersOnce);
      const tunnels = tunnelsFor({ ...host, tunnel }, network, remotes, names);
      bridges.push(tunnels.length > 0 ? { ...bridge, tunnels } : bridge);
    } else if (onNetwork.length > 0) {
      bridges.push(bridgeOf(network, onNetwork));
    }
  }
  const interfaces = hostInterfaces(host, devices, uplinkOf, uplinks, names);
  return normalizeState({ uplinks: [...uplinks.values()], bridges, interfaces });
}

function networkBridge(
  topology: PoolTopology,
  policy: PolicyIndex,
  network: TopologyNetwork,
  placed: PlacedVif[],
  names: NameRegistry,
  mirrors: BridgeMirrors | undefined,
): Bridge {
  const owner = `network ${network.id}`;
  const name = names.claim(bridgeName(network.id), owner);
  const patches = patchPortNames(name);
  names.claim(patches.bridgeSide, owner);
  names.claim(patches.uplinkSide, owner);

  const mirrorTunnels = mirrors?.mirrorTunnels ?? [];
  return {
    name,
    networkId: network.id,
    mtu: network.mtu,
    ports: placed.map(({ vif, forwarding, handover }) => ({
      ...vifPort(topology, policy, vif, forwarding, names),
      ...(handover ? { handover } : {}),
    })),
    mirrors: mirrors?.mirrors ?? [],
    ...(mirrorTunnels.length > 0 ? { mirrorTunnels } : {}),
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
