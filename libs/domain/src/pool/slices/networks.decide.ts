import type {
  CreateNetwork,
  DestroyNetwork,
  SetNetworkAclDefault,
  UpdateNetwork,
} from '../pool.commands.js';
import { poolError } from '../pool.errors.js';
import { poolEvent, type PoolEvent } from '../pool.events.js';
import { nameKey, uplinkKey, type PoolState } from '../pool.state.js';
import { ACL_DEFAULT_POLICIES, NETWORK_PURPOSES, type NetworkUplink } from '../pool.types.js';
import * as v from '../pool.validation.js';
import { hostsWithDevice, requireNicNotBridged } from './host-interfaces.decide.js';
import { detachPolicies } from './cascade.js';
import { getNetwork, requireNewId, sample } from './lookups.js';
import {
  allocateVni,
  requireOverlayFits,
  requireTunnelEndpoints,
  tunnelEndpoints,
} from './overlay.decide.js';

/** Network names are unique in the pool regardless of case. */
const requireFreeName = (state: PoolState, name: string, networkId: string): void => {
  const holder = state.indexes.networkByName.get(nameKey(name));
  if (holder !== undefined && holder !== networkId) {
    throw poolError('NETWORK_NAME_IN_USE', `network ${holder} is already named ${name}`, {
      networkId: holder,
    });
  }
};

const requireUplink = (state: PoolState, data: CreateNetwork['data']): NetworkUplink => {
  const kind = v.requireOneOf('kind', data.kind, ['external', 'private', 'overlay'] as const);
  if (kind === 'private') return { kind };
  if (kind === 'overlay') return { kind, vni: allocateVni(state) };
  const external = data as { device?: unknown; vlan?: unknown };
  const device = v.requireDevice('device', external.device);
  const vlan = external.vlan == null ? null : v.requireVlan(external.vlan);
  const holder = state.indexes.networkByUplink.get(uplinkKey(device, vlan));
  if (holder !== undefined) {
    const tag = vlan === null ? 'untagged' : `VLAN ${vlan}`;
    throw poolError('DEVICE_VLAN_IN_USE', `network ${holder} already uses ${device} ${tag}`, {
      networkId: holder,
      device,
      vlan,
    });
  }
  const memberOn = state.indexes.bondMemberHosts.get(device);
  if (vlan !== null && memberOn !== undefined) {
    throw poolError('BOND_MEMBER_HAS_VLAN', `${device} is a bond member and cannot carry a VLAN`, {
      device,
      hostIds: [...memberOn],
    });
  }
  const what = vlan === null ? `an untagged network on ${device}` : `VLAN ${vlan} on ${device}`;
  requireNicNotBridged(hostsWithDevice(state, device), device, what);
  return { kind, device, vlan };
};

/** What a 1500-byte underlay carries over IPv4 once VXLAN has added its 50 bytes. */
const OVERLAY_DEFAULT_MTU = 1450;

export const createNetwork = ({ data }: CreateNetwork, state: PoolState): PoolEvent[] => {
  const networkId = requireNewId('NETWORK', state.networks, 'networkId', data.networkId);
  const name = v.requireName('name', data.name);
  const purpose = v.requireOneOf('purpose', data.purpose, NETWORK_PURPOSES);
  const uplink = requireUplink(state, data);
  const defaultMtu = uplink.kind === 'overlay' ? OVERLAY_DEFAULT_MTU : 1500;
  const mtu = data.mtu === undefined ? defaultMtu : v.requireMtu(data.mtu);
  requireFreeName(state, name, networkId);
  if (uplink.kind === 'overlay') {
    requireTunnelEndpoints(state, state.hosts.values());
    requireOverlayFits(mtu, tunnelEndpoints(state));
  }
  return [poolEvent('NetworkCreated', { networkId, name, purpose, mtu, ...uplink })];
};

export const updateNetwork = ({ data }: UpdateNetwork, state: PoolState): PoolEvent[] => {
  const network = getNetwork(state, data.networkId);
  const name = data.name === undefined ? network.name : v.requireName('name', data.name);
  const mtu = data.mtu === undefined ? network.mtu : v.requireMtu(data.mtu);
  const events: PoolEvent[] = [];
  if (name !== network.name) {
    requireFreeName(state, name, network.id);
    events.push(poolEvent('NetworkRenamed', { networkId: network.id, name }));
  }
  if (mtu !== network.mtu && network.kind === 'overlay') {
    requireOverlayFits(mtu, tunnelEndpoints(state));
  }
  if (mtu !== network.mtu)
    events.push(poolEvent('NetworkMtuChanged', { networkId: network.id, mtu }));
  return events;
};

/** The default policy of the network's ports; setting the current one changes nothing. */
export const setNetworkAclDefault = (
  { data }: SetNetworkAclDefault,
  state: PoolState,
): PoolEvent[] => {
  const network = getNetwork(state, data.networkId);
  const defaultPolicy = v.requireOneOf('defaultPolicy', data.defaultPolicy, ACL_DEFAULT_POLICIES);
  return defaultPolicy === network.aclDefault
    ? []
    : [poolEvent('NetworkAclDefaultChanged', { networkId: network.id, defaultPolicy })];
};

/** Refused while VIFs attach; ACL rules and mirrors on the network are deleted with it. */
export const destroyNetwork = ({ data }: DestroyNetwork, state: PoolState): PoolEvent[] => {
  const network = getNetwork(state, data.networkId);
  const vifs = state.indexes.vifsByNetwork.get(network.id);
  if (vifs !== undefined && vifs.size > 0) {
    throw poolError('NETWORK_IN_USE', `network ${network.name} still has ${vifs.size} VIF(s)`, {
      networkId: network.id,
      vifCount: vifs.size,
      vifIds: sample(vifs),
    });
  }
  return [
    ...detachPolicies(state, { kind: 'network', networkId: network.id }, new Set()),
    poolEvent('NetworkDestroyed', { networkId: network.id }),
  ];
};
