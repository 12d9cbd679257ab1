import { MAC_SEQUENCE_LIMIT, generatedMac } from '../../net/mac.js';
import type { CreateVif, DestroyVif, UpdateVif } from '../pool.commands.js';
import { poolError } from '../pool.errors.js';
import { poolEvent, type PoolEvent } from '../pool.events.js';
import { ipKey, type PoolState } from '../pool.state.js';
import type { Qos } from '../pool.types.js';
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

/** `undefined` keeps `current`, `null` clears it, anything else must be a free address. */
const nextIp = (
  state: PoolState,
  vif: { id: string; networkId: string },
  field: 'ipv4' | 'ipv6',
  value: unknown,
  current: string | null,
): string | null => {
  if (value === undefined) return current;
  if (value === null) return null;
  const ip = field === 'ipv4' ? v.requireIpv4(field, value) : v.requireIpv6(field, value);
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
  const qos = nextQos(data.qos, vif.qos);
  const portSecurity =
    data.portSecurity === undefined
      ? vif.portSecurity
      : v.requireBoolean('portSecurity', data.portSecurity);
  const unchanged =
    ipv4 === vif.ipv4 &&
    ipv6 === vif.ipv6 &&
    sameQos(qos, vif.qos) &&
    portSecurity === vif.portSecurity;
  if (unchanged) return [];
  // A fresh copy: the event must not alias state that evolve will later change in place.
  const qosCopy = qos && { ...qos };
  return [poolEvent('VifUpdated', { vifId: vif.id, ipv4, ipv6, qos: qosCopy, portSecurity })];
};

/** ACL rules on the VIF and mirrors from or to it are deleted first. */
export const destroyVif = ({ data }: DestroyVif, state: PoolState): PoolEvent[] => {
  const vif = getVif(state, data.vifId);
  requireNotMigrating(state, getVm(state, vif.vmId));
  return destroyVifEvents(state, vif, new Set());
};
