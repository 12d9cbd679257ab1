import type { RecordNetworkRollback, ResetHostNetworking } from '../pool.commands.js';
import { poolError } from '../pool.errors.js';
import { poolEvent, type PoolEvent } from '../pool.events.js';
import type { PoolState } from '../pool.state.js';
import type { Host } from '../pool.types.js';
import * as v from '../pool.validation.js';
import { getHost } from './lookups.js';

/** The PIF the host is managed through (a host has exactly one). */
export const managementDevice = (host: Host): string | undefined =>
  [...host.pifs.values()].find((pif) => pif.role === 'management')?.device;

/**
 * A member host's own account of a change it rolled back (its network watchdog lost NATS after
 * applying `refusedVersion` and put back the switch of `heldVersion`). Recorded as it happened:
 * the log is never rewritten, the host stays held until a later change to its uplinks.
 */
export const recordNetworkRollback = (
  { data, metadata }: RecordNetworkRollback,
  state: PoolState,
): PoolEvent[] => {
  const host = getHost(state, data.hostId);
  const refusedVersion = v.requireInteger(
    'INVALID_NUMBER',
    'refusedVersion',
    data.refusedVersion,
    1,
    Number.MAX_SAFE_INTEGER,
  );
  const heldVersion = v.requireInteger(
    'INVALID_NUMBER',
    'heldVersion',
    data.heldVersion,
    0,
    refusedVersion - 1,
  );
  const reason = v.requireText('reason', data.reason, 500);
  return [
    poolEvent('HostNetworkRolledBack', {
      hostId: host.id,
      refusedVersion,
      heldVersion,
      reason,
      recordedAt: metadata.now,
    }),
  ];
};

/**
 * XAPI's `xe-reset-networking`: the host keeps its management PIF alone. Its bonds over the
 * management NIC are destroyed and no network is uplinked on that NIC on this host any more
 * (its VMs' VIFs on those networks lose their ports there), until management moves to another
 * PIF or the host joins again. Refused for nothing: it is the operator's way out.
 */
export const resetHostNetworking = (
  { data }: ResetHostNetworking,
  state: PoolState,
): PoolEvent[] => {
  const host = getHost(state, data.hostId);
  const device = managementDevice(host);
  if (device === undefined) {
    throw poolError('MANAGEMENT_PIF_REQUIRED', `host ${host.id} has no management PIF`, {
      hostId: host.id,
    });
  }
  const bonds = [...state.bonds.values()].filter(
    (bond) => bond.hostId === host.id && bond.members.includes(device),
  );
  return [
    ...bonds.map((bond) =>
      poolEvent('BondDestroyed', { bondId: bond.id, hostId: host.id, device: bond.device }),
    ),
    poolEvent('HostNetworkingReset', { hostId: host.id, device }),
  ];
};
