import type { SetTunnelEndpoint } from '../pool.commands.js';
import { poolError } from '../pool.errors.js';
import { poolEvent, type PoolEvent } from '../pool.events.js';
import type { PoolState } from '../pool.state.js';
import {
  TUNNEL_PIF_ROLES,
  VNI_MAX,
  VXLAN_OVERHEAD,
  type Host,
  type Network,
} from '../pool.types.js';
import * as v from '../pool.validation.js';
import { getHost, getPif } from './lookups.js';
import { requireNicNotBridged } from './host-interfaces.decide.js';

/** What VXLAN adds to an overlay frame over this underlay address (see VXLAN_OVERHEAD). */
export const overlayOverhead = (address: string): number =>
  address.includes(':') ? VXLAN_OVERHEAD.ipv6 : VXLAN_OVERHEAD.ipv4;

export const overlayNetworks = (state: PoolState): Network[] =>
  [...state.networks.values()].filter((network) => network.kind === 'overlay');

/** The next VNI: above every one ever given, so none is reused. */
export const allocateVni = (state: PoolState): number => {
  const vni = state.vniHighWater + 1;
  if (vni > VNI_MAX) {
    throw poolError('VNI_SPACE_EXHAUSTED', `every VNI up to ${VNI_MAX} has been given once`, {
      vniHighWater: state.vniHighWater,
    });
  }
  return vni;
};

/** Refuses, naming them, the enabled hosts that declare no tunnel endpoint. */
export const requireTunnelEndpoints = (state: PoolState, hosts: Iterable<Host>): void => {
  const missing = [...hosts].filter((host) => host.state === 'enabled' && host.tunnel === null);
  if (missing.length === 0) return;
  const ids = missing.map((host) => host.id);
  throw poolError(
    'TUNNEL_ENDPOINT_MISSING',
    `an overlay network needs a tunnel endpoint on every enabled host; host(s) ${ids.join(', ')} declare none (SetTunnelEndpoint)`,
    { hostIds: ids },
  );
};

export interface UnderlayShortfall {
  hostId: string;
  device: string;
  underlayMtu: number;
  overhead: number;
  /** The largest overlay MTU this host's underlay carries. */
  maxMtu: number;
}

/** A host's tunnel endpoint with the MTU of its PIF. */
export interface TunnelEndpoint {
  hostId: string;
  device: string;
  address: string;
  underlayMtu: number;
}

/** An endpoint under an overlay of MTU `mtu`: VXLAN's overhead and what is left (< 0: short). */
export interface UnderlayFigures extends TunnelEndpoint {
  overhead: number;
  /** underlayMtu − overhead − mtu. */
  headroom: number;
}

/** The figures the decider holds an overlay MTU to, per endpoint (read models show them too). */
export const underlayFigures = (
  mtu: number,
  endpoints: Iterable<TunnelEndpoint>,
): UnderlayFigures[] =>
  [...endpoints].map((endpoint) => {
    const overhead = overlayOverhead(endpoint.address);
    return { ...endpoint, overhead, headroom: endpoint.underlayMtu - overhead - mtu };
  });

/**
 * Refuses an overlay MTU that, with VXLAN's overhead, does not fit the underlay MTU of every
 * host with a tunnel endpoint, naming each host that falls short and its figures. `endpoints`
 * lets a command check the state it is about to make (a new endpoint, a new PIF MTU).
 */
export const requireOverlayFits = (mtu: number, endpoints: Iterable<TunnelEndpoint>): void => {
  const short: UnderlayShortfall[] = underlayFigures(mtu, endpoints)
    .filter(({ headroom }) => headroom < 0)
    .map(({ hostId, device, underlayMtu, overhead }) => ({
      hostId,
      device,
      underlayMtu,
      overhead,
      maxMtu: underlayMtu - overhead,
    }));
  if (short.length === 0) return;
  const figures = short
    .map((s) => `${s.hostId} (${s.device} MTU ${s.underlayMtu} − ${s.overhead} = ${s.maxMtu})`)
    .join(', ');
  throw poolError(
    'OVERLAY_MTU_TOO_LARGE',
    `overlay MTU ${mtu} does not fit the underlay of host(s) ${figures}`,
    { mtu, hosts: short },
  );
};

/** Every host's endpoint with the MTU of its PIF, as the state holds them. */
export const tunnelEndpoints = (state: PoolState): TunnelEndpoint[] =>
  [...state.hosts.values()].flatMap((host) => {
    const pif = host.tunnel && host.pifs.get(host.tunnel.device);
    return host.tunnel && pif ? [{ hostId: host.id, ...host.tunnel, underlayMtu: pif.mtu }] : [];
  });

/** The largest MTU among the overlay networks, which every underlay must carry; 0 if none. */
export const largestOverlayMtu = (state: PoolState): number =>
  Math.max(0, ...overlayNetworks(state).map((network) => network.mtu));

const requireFreeAddress = (state: PoolState, hostId: string, address: string): void => {
  for (const host of state.hosts.values()) {
    if (host.id !== hostId && host.tunnel?.address === address) {
      throw poolError('TUNNEL_ADDRESS_IN_USE', `host ${host.id} already tunnels from ${address}`, {
        hostId: host.id,
        address,
      });
    }
  }
};

const requireTunnelAddress = (value: unknown): string =>
  typeof value === 'string' && value.includes(':')
    ? v.requireIpv6('address', value)
    : v.requireIpv4('address', value);

/**
 * Declares (or clears) where the host's overlay tunnels start and end. The PIF must carry
 * management, storage or tunnel traffic, and its MTU must carry every overlay network.
 */
export const setTunnelEndpoint = ({ data }: SetTunnelEndpoint, state: PoolState): PoolEvent[] => {
  const host = getHost(state, data.hostId);
  if (data.address === null) {
    if (host.tunnel === null) return [];
    const overlays = overlayNetworks(state);
    if (overlays.length > 0) {
      throw poolError(
        'TUNNEL_ENDPOINT_REQUIRED',
        `host ${host.id} carries ${overlays.length} overlay network(s) and needs its tunnel endpoint`,
        { hostId: host.id, networkIds: overlays.map((network) => network.id) },
      );
    }
    return [poolEvent('TunnelEndpointCleared', { hostId: host.id })];
  }
  const pif = getPif(host, v.requireDevice('device', data.device));
  if (!(TUNNEL_PIF_ROLES as readonly string[]).includes(pif.role)) {
    throw poolError(
      'TUNNEL_PIF_ROLE',
      `${pif.device} of host ${host.id} has role ${pif.role}; a tunnel endpoint sits on a PIF of role ${TUNNEL_PIF_ROLES.join(', ')}`,
      { hostId: host.id, device: pif.device, role: pif.role },
    );
  }
  // Tunnels leave through the device's bridge, which would take an address held on the NIC.
  requireNicNotBridged([host], pif.device, `a tunnel endpoint on ${pif.device}`);
  const address = requireTunnelAddress(data.address);
  requireFreeAddress(state, host.id, address);
  const mtu = largestOverlayMtu(state);
  if (mtu > 0) {
    requireOverlayFits(mtu, [
      { hostId: host.id, device: pif.device, address, underlayMtu: pif.mtu },
    ]);
  }
  if (host.tunnel?.device === pif.device && host.tunnel.address === address) return [];
  return [poolEvent('TunnelEndpointSet', { hostId: host.id, device: pif.device, address })];
};
