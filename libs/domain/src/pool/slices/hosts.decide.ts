import type {
  DisableHost,
  EjectHost,
  EnableHost,
  JoinHost,
  SetPifMtu,
  SetPifRole,
} from '../pool.commands.js';
import { poolError } from '../pool.errors.js';
import { poolEvent, type PoolEvent } from '../pool.events.js';
import { hostKey, type PoolState } from '../pool.state.js';
import { PIF_ROLES, TUNNEL_PIF_ROLES, type Pif, type PifInventory } from '../pool.types.js';
import * as v from '../pool.validation.js';
import { getBond, getHost, getPif, requireNewId, sample } from './lookups.js';
import { largestOverlayMtu, requireOverlayFits } from './overlay.decide.js';

const inventoryError = (message: string) => poolError('INVALID_INVENTORY', message);

export const joinHost = ({ data, metadata }: JoinHost, state: PoolState): PoolEvent[] => {
  const hostId = requireNewId('HOST', state.hosts, 'hostId', data.hostId);
  const name = v.requireName('name', data.name);
  const address = v.requireText('address', data.address, 255);
  const managementDevice = v.requireDevice('managementDevice', data.managementDevice);
  const list: unknown = data.pifs;
  if (!Array.isArray(list) || list.length === 0) {
    throw inventoryError('a host joins with at least one PIF');
  }
  const pifs = new Map<string, Pif>();
  for (const [i, item] of data.pifs.entries()) {
    const pif: Partial<Record<keyof PifInventory, unknown>> = item ?? {};
    const device = v.requireDevice(`pifs[${i}].device`, pif.device);
    if (pifs.has(device)) throw inventoryError(`the inventory lists ${device} twice`);
    pifs.set(device, {
      device,
      mac: v.requireMac(`pifs[${i}].mac`, pif.mac),
      mtu: v.requireMtu(pif.mtu, `pifs[${i}].mtu`),
      speedMbps: v.requireInteger('INVALID_NUMBER', `pifs[${i}].speedMbps`, pif.speedMbps, 0, 1e7),
      carrier: v.requireBoolean(`pifs[${i}].carrier`, pif.carrier),
      role: device === managementDevice ? 'management' : 'unused',
    });
  }
  if (!pifs.has(managementDevice)) {
    throw inventoryError(`the management device ${managementDevice} is not in the inventory`);
  }
  return [
    poolEvent('HostJoined', {
      hostId,
      name,
      address,
      pifs: [...pifs.values()],
      joinedAt: metadata.now,
    }),
  ];
};

export const enableHost = ({ data }: EnableHost, state: PoolState): PoolEvent[] => {
  const host = getHost(state, data.hostId);
  return host.state === 'enabled' ? [] : [poolEvent('HostEnabled', { hostId: host.id })];
};

export const disableHost = ({ data }: DisableHost, state: PoolState): PoolEvent[] => {
  const host = getHost(state, data.hostId);
  return host.state === 'disabled' ? [] : [poolEvent('HostDisabled', { hostId: host.id })];
};

/** Its bonds go with it, each as a BondDestroyed event before HostEjected. */
export const ejectHost = ({ data }: EjectHost, state: PoolState): PoolEvent[] => {
  const host = getHost(state, data.hostId);
  const running = state.indexes.runningVmsByHost.get(host.id);
  if (running !== undefined && running.size > 0) {
    throw poolError('HOST_HAS_RUNNING_VMS', `host ${host.id} runs ${running.size} VM(s)`, {
      hostId: host.id,
      vmIds: sample(running),
    });
  }
  const migrations = [...state.migrations.values()].filter(
    (m) => m.fromHostId === host.id || m.toHostId === host.id,
  );
  if (migrations.length > 0) {
    throw poolError('HOST_HAS_MIGRATIONS', `host ${host.id} takes part in a migration`, {
      hostId: host.id,
      migrationIds: migrations.map((m) => m.id),
    });
  }
  const bondIds = new Set<string>();
  for (const device of host.pifs.keys()) {
    const bondId = state.indexes.bondByMember.get(hostKey(host.id, device));
    if (bondId !== undefined) bondIds.add(bondId);
  }
  return [
    ...[...bondIds].map((bondId) =>
      poolEvent('BondDestroyed', {
        bondId,
        hostId: host.id,
        device: getBond(state, bondId).device,
      }),
    ),
    poolEvent('HostEjected', { hostId: host.id }),
  ];
};

/** Giving a PIF the management role moves it from the current management PIF. */
export const setPifRole = ({ data }: SetPifRole, state: PoolState): PoolEvent[] => {
  const host = getHost(state, data.hostId);
  const pif = getPif(host, data.device);
  const role = v.requireOneOf('role', data.role, PIF_ROLES);
  if (role === pif.role) return [];
  if (pif.role === 'management') {
    throw poolError(
      'MANAGEMENT_PIF_REQUIRED',
      `${pif.device} is the management PIF of host ${host.id}: give another PIF the management role instead`,
      { hostId: host.id, device: pif.device },
    );
  }
  // JoinHost and this rule keep exactly one management PIF per host, so `current` exists.
  const current = [...host.pifs.values()].find((p) => p.role === 'management');
  // The PIF that loses its role: this one, or the management PIF, which becomes `unused`.
  const [losing, after] = role === 'management' ? [current, 'unused'] : [pif, role];
  if (
    losing &&
    host.tunnel?.device === losing.device &&
    !(TUNNEL_PIF_ROLES as readonly string[]).includes(after)
  ) {
    throw poolError(
      'TUNNEL_PIF_ROLE',
      `${losing.device} holds the tunnel endpoint of host ${host.id}: move the endpoint before it becomes ${after}`,
      { hostId: host.id, device: losing.device, role: after },
    );
  }
  if (role !== 'management') {
    return [poolEvent('PifRoleChanged', { hostId: host.id, device: pif.device, role })];
  }
  return [
    poolEvent('ManagementPifMoved', {
      hostId: host.id,
      fromDevice: current?.device ?? pif.device,
      toDevice: pif.device,
    }),
  ];
};

export const setPifMtu = ({ data }: SetPifMtu, state: PoolState): PoolEvent[] => {
  const host = getHost(state, data.hostId);
  const pif = getPif(host, data.device);
  const mtu = v.requireMtu(data.mtu);
  const overlayMtu = largestOverlayMtu(state);
  if (host.tunnel?.device === pif.device && overlayMtu > 0) {
    const { address } = host.tunnel;
    requireOverlayFits(overlayMtu, [
      { hostId: host.id, device: pif.device, address, underlayMtu: mtu },
    ]);
  }
  return mtu === pif.mtu
    ? []
    : [poolEvent('PifMtuChanged', { hostId: host.id, device: pif.device, mtu })];
};
