import { MAC_SEQUENCE_LIMIT, generatedMac } from '../../net/mac.js';
import type { CreateVif, DestroyVif, UpdateVif } from '../pool.commands.js';
import { poolError } from '../pool.errors.js';
import { poolEvent, type PoolEvent } from '../pool.events.js';
import { ipKey, type PoolState } from '../pool.state.js';
import {
  VIF_MAX_ADDRESS_PAIRS,
  VIF_MAX_EXTRA_IPS,
  type AddressPair,
  type Qos,
} from '../pool.types.js';
import * as v from '../pool.validation.js';
import { destroyVifEvents } from './cascade.js';
import { getNetwork, getVif, getVm, requireNewId } from './lookups.js';
import { requireUplinks } from './uplinks.js';
import { requireNotMigrating } from './vms.decide.js';

/**
 * The next MAC of the pool's generated range. The counter only grows, and evolve moves it past
 * any MAC of the range that was ever used, so this address is new to the pool.
 */
const nextGeneratedMac = (state: PoolState): string => {
  if (state.macSequence >= MAC_SEQUENCE_LIMIT) {
    throw poolError('MAC_SPACE_EXHAUSTED', 'this pool has generated every MAC it can; give one');
  }
  return generatedMac(state.id, state.macSequence);
};

const requireFreeMac = (state: PoolState, mac: string): void => {
  const holder = state.indexes.vifByMac.get(mac);
  if (holder !== undefined) {
    throw poolError('MAC_IN_USE', `MAC ${mac} is already used by VIF ${holder}`, {
      mac,
      vifId: holder,
    });
  }
};

type VifAt = { id: string; networkId: string };

/** `undefined` keeps `current`, `null` clears it, anything else must be a free address. */
const nextIp = (
  state: PoolState,
  vif: VifAt,
  field: 'ipv4' | 'ipv6',
  value: unknown,
  current: string | null,
): string | null => {
  if (value === undefined) return current;
  if (value === null) return null;
  const ip = field === 'ipv4' ? v.requireIpv4(field, value) : v.requireVifIpv6(field, value);
  return requireFreeIp(state, vif, ip);
};

const requireList = (field: string, value: unknown, max: number): unknown[] => {
  if (!Array.isArray(value)) {
    throw poolError('INVALID_IP', `${field} must be a list`, { field });
  }
  if (value.length > max) {
    throw poolError('TOO_MANY_ADDRESSES', `${field} holds at most ${max} entries`, { field, max });
  }
  return value;
};

/**
 * The VIF's further addresses, as a sorted set without its primary ones: each of either family,
 * free on the network like `ipv4` and `ipv6`. `undefined` keeps `current`; a list replaces it.
 */
const nextExtraIps = (
  state: PoolState,
  vif: VifAt,
  value: unknown,
  current: string[],
  primary: (string | null)[],
): string[] => {
  if (value === undefined) return current.filter((ip) => !primary.includes(ip));
  const ips = requireList('extraIps', value, VIF_MAX_EXTRA_IPS).map((ip, i) =>
    requireFreeIp(state, vif, v.requireVifIp(`extraIps[${i}]`, ip)),
  );
  return [...new Set(ips)].filter((ip) => !primary.includes(ip)).sort();
};

/**
 * Allowed address pairs, sorted, without repeats, a pair on the VIF's own MAC stored without
 * one. Not checked against the address registry: a VIP is shared by design (see AddressPair).
 */
const nextPairs = (value: unknown, current: AddressPair[], ownMac: string): AddressPair[] => {
  if (value === undefined) return current;
  const pairs = requireList('allowedPairs', value, VIF_MAX_ADDRESS_PAIRS).map(
    (pair, i): AddressPair => {
      const field = `allowedPairs[${i}]`;
      if (typeof pair !== 'object' || pair === null) {
        throw poolError('INVALID_ADDRESS_PAIR', `${field} must be { ip, mac? }`, { field });
      }
      const { ip, mac } = pair as { ip?: unknown; mac?: unknown };
      const pairMac = mac == null ? null : v.requireMac(`${field}.mac`, mac);
      return { ip: v.requireVifIp(`${field}.ip`, ip), mac: pairMac === ownMac ? null : pairMac };
    },
  );
  const key = (p: AddressPair) => `${p.ip} ${p.mac ?? ''}`;
  return [...new Map(pairs.map((p) => [key(p), p])).values()].sort((a, b) =>
    key(a).localeCompare(key(b)),
  );
};

const sameList = (a: readonly unknown[], b: readonly unknown[]): boolean =>
  JSON.stringify(a) === JSON.stringify(b);

const requireFreeIp = (state: PoolState, vif: VifAt, ip: string): string => {
  const holder = state.indexes.vifByIp.get(ipKey(vif.networkId, ip));
  if (holder !== undefined && holder !== vif.id) {
    throw poolError(
      'IP_IN_USE',
      `${ip} is already used on network ${vif.networkId} by VIF ${holder}`,
      {
        ip,
        networkId: vif.networkId,
        vifId: holder,
      },
    );
  }
  return ip;
};

const nextQos = (value: unknown, current: Qos | null): Qos | null =>
  value === undefined ? current : value === null ? null : v.requireQos(value);

const sameQos = (a: Qos | null, b: Qos | null): boolean =>
  a === b ||
  (a !== null &&
    b !== null &&
    a.ingressKbps === b.ingressKbps &&
    a.ingressBurstKb === b.ingressBurstKb &&
    a.egressKbps === b.egressKbps &&
    a.egressBurstKb === b.egressBurstKb);

const VIF_DEVICE_MAX = 15;

/** The lowest device index 0–15 the VM has no VIF on: what a CreateVif without `device` gets. */
const lowestFreeDevice = (vmId: string, used: ReadonlyMap<number, string> | undefined): number => {
  for (let device = 0; device <= VIF_DEVICE_MAX; device++) {
    if (!used?.has(device)) return device;
  }
  throw poolError(
    'VIF_DEVICES_EXHAUSTED',
    `VM ${vmId} has a VIF on every device 0–${VIF_DEVICE_MAX}; destroy one first`,
    { vmId },
  );
};

/** Plugging a VIF into a running VM needs an uplink for its network on the VM's host. */
export const createVif = ({ data }: CreateVif, state: PoolState): PoolEvent[] => {
  const vifId = requireNewId('VIF', state.vifs, 'vifId', data.vifId);
  const vm = getVm(state, data.vmId);
  requireNotMigrating(state, vm);
  const used = state.indexes.vifsByVm.get(vm.id);
  const device =
    data.device === undefined
      ? lowestFreeDevice(vm.id, used)
      : v.requireInteger('INVALID_VIF_DEVICE', 'device', data.device, 0, VIF_DEVICE_MAX);
  const holder = used?.get(device);
  if (holder !== undefined) {
    throw poolError(
      'VIF_DEVICE_IN_USE',
      `VM ${vm.id} already has VIF ${holder} as device ${device}`,
      {
        vmId: vm.id,
        device,
        vifId: holder,
      },
    );
  }
  const network = getNetwork(state, data.networkId);
  const macGenerated = data.mac == null;
  const mac = macGenerated ? nextGeneratedMac(state) : v.requireMac('mac', data.mac);
  requireFreeMac(state, mac);
  const at = { id: vifId, networkId: network.id };
  const ipv4 = nextIp(state, at, 'ipv4', data.ipv4, null);
  const ipv6 = nextIp(state, at, 'ipv6', data.ipv6, null);
  const extraIps = nextExtraIps(state, at, data.extraIps ?? [], [], [ipv4, ipv6]);
  const allowedPairs = nextPairs(data.allowedPairs ?? [], [], mac);
  const qos = nextQos(data.qos, null);
  const portSecurity =
    data.portSecurity === undefined ? false : v.requireBoolean('portSecurity', data.portSecurity);
  const host = vm.residentHostId === null ? undefined : state.hosts.get(vm.residentHostId);
  if (host) requireUplinks(state, host, [network]);
  return [
    poolEvent('VifCreated', {
      vifId,
      vmId: vm.id,
      device,
      networkId: network.id,
      mac,
      macGenerated,
      ipv4,
      ipv6,
      extraIps,
      allowedPairs,
      qos,
      portSecurity,
    }),
  ];
};

export const updateVif = ({ data }: UpdateVif, state: PoolState): PoolEvent[] => {
  const vif = getVif(state, data.vifId);
  const vm = getVm(state, vif.vmId);
  requireNotMigrating(state, vm);
  const ipv4 = nextIp(state, vif, 'ipv4', data.ipv4, vif.ipv4);
  const ipv6 = nextIp(state, vif, 'ipv6', data.ipv6, vif.ipv6);
  const extraIps = nextExtraIps(state, vif, data.extraIps, vif.extraIps, [ipv4, ipv6]);
  const allowedPairs = nextPairs(data.allowedPairs, vif.allowedPairs, vif.mac);
  const qos = nextQos(data.qos, vif.qos);
  const portSecurity =
    data.portSecurity === undefined
      ? vif.portSecurity
      : v.requireBoolean('portSecurity', data.portSecurity);
  const unchanged =
    ipv4 === vif.ipv4 &&
    ipv6 === vif.ipv6 &&
    sameList(extraIps, vif.extraIps) &&
    sameList(allowedPairs, vif.allowedPairs) &&
    sameQos(qos, vif.qos) &&
    portSecurity === vif.portSecurity;
  if (unchanged) return [];
  // A fresh copy: the event must not alias state that evolve will later change in place.
  const qosCopy = qos && { ...qos };
  return [
    poolEvent('VifUpdated', {
      vifId: vif.id,
      ipv4,
      ipv6,
      extraIps: [...extraIps],
      allowedPairs: allowedPairs.map((pair) => ({ ...pair })),
      qos: qosCopy,
      portSecurity,
    }),
  ];
};

/** ACL rules on the VIF and mirrors from or to it are deleted first. */
export const destroyVif = ({ data }: DestroyVif, state: PoolState): PoolEvent[] => {
  const vif = getVif(state, data.vifId);
  requireNotMigrating(state, getVm(state, vif.vmId));
  return destroyVifEvents(state, vif, new Set());
};
