import type {
  AbortMigration,
  ActivateMigration,
  CompleteMigration,
  PrepareMigration,
  RequestMigration,
} from '../pool.commands.js';
import { poolError } from '../pool.errors.js';
import { poolEvent, type PoolEvent } from '../pool.events.js';
import type { PoolState } from '../pool.state.js';
import type { Migration, MigrationStatus, Vm } from '../pool.types.js';
import {
  requireBoolean,
  requireId,
  requireOneOf,
  requireText,
  requireTimestamp,
} from '../pool.validation.js';
import { getMigration, getVm, requireNewId, sample } from './lookups.js';
import { requirePlacement, vmNetworks } from './uplinks.js';
import { requireNotMigrating, requireRunning } from './vms.decide.js';

/*
 * The migration saga (DESIGN §5): requested → prepared → activated → completed, or aborted
 * before activation. Repeating the step a migration has already taken decides nothing, so a
 * coordinator may retry (a concurrent activate is a no-op, Neutron LP#1986003). A finished
 * migration leaves the state: a command naming it gets MIGRATION_NOT_FOUND.
 */

/** The VMs other than `vm` with a VIF on `networkId` that run on `hostId`, by id. */
const peersOn = (state: PoolState, vm: Vm, networkId: string, hostId: string): Vm[] => {
  const peers = new Map<string, Vm>();
  for (const vifId of state.indexes.vifsByNetwork.get(networkId) ?? []) {
    const peer = state.vms.get(state.vifs.get(vifId)?.vmId ?? '');
    if (peer && peer.id !== vm.id && peer.residentHostId === hostId) peers.set(peer.id, peer);
  }
  return [...peers.values()].sort((a, b) => a.id.localeCompare(b.id));
};

/**
 * A private network is host-local: moving a VM off `fromHostId` cuts it from the VMs that run
 * there on the same private network. Refuses, naming each such network and its peers, unless
 * the request accepts it. Overlay networks follow the VM across hosts and are not counted.
 */
const requireNoPrivatePeersLeft = (state: PoolState, vm: Vm, fromHostId: string): void => {
  const cut = vmNetworks(state, vm.id)
    .filter((network) => network.kind === 'private')
    .map((network) => ({ network, peers: peersOn(state, vm, network.id, fromHostId) }))
    .filter(({ peers }) => peers.length > 0)
    .sort((a, b) => a.network.id.localeCompare(b.network.id));
  if (cut.length === 0) return;
  const named = (items: { id: string; name: string }[]) => {
    const shown = sample(items).map(({ id, name }) => (id === name ? id : `${name} (${id})`));
    const more = items.length - shown.length;
    return shown.join(', ') + (more > 0 ? ` and ${more} more` : '');
  };
  const listed = cut
    .map(({ network, peers }) => `${named([network])} with VM(s) ${named(peers)}`)
    .join('; ');
  throw poolError(
    'PRIVATE_NETWORK_PEERS',
    `migrating VM ${vm.id} off host ${fromHostId} cuts it from its peers on host-local private ` +
      `network(s): ${listed}; send acceptIsolation: true to migrate it all the same`,
    {
      vmId: vm.id,
      hostId: fromHostId,
      networks: sample(cut).map(({ network, peers }) => ({
        networkId: network.id,
        name: network.name,
        peerCount: peers.length,
        peers: sample(peers).map(({ id, name }) => ({ vmId: id, name })),
      })),
    },
  );
};

export const requestMigration = (
  { data, metadata }: RequestMigration,
  state: PoolState,
): PoolEvent[] => {
  const migrationId = requireNewId('MIGRATION', state.migrations, 'migrationId', data.migrationId);
  const vm = getVm(state, data.vmId);
  const fromHostId = requireRunning(vm);
  requireNotMigrating(state, vm);
  const toHostId = requireId('toHostId', data.toHostId);
  if (toHostId === fromHostId) {
    throw poolError('MIGRATION_TO_SAME_HOST', `VM ${vm.id} already runs on host ${toHostId}`, {
      vmId: vm.id,
      hostId: toHostId,
    });
  }
  requirePlacement(state, toHostId, vm);
  const acceptIsolation =
    data.acceptIsolation === undefined
      ? false
      : requireBoolean('acceptIsolation', data.acceptIsolation);
  if (!acceptIsolation) requireNoPrivatePeersLeft(state, vm, fromHostId);
  return [
    poolEvent('MigrationRequested', {
      migrationId,
      vmId: vm.id,
      fromHostId,
      toHostId,
      requestedAt: metadata.now,
      acceptIsolation,
    }),
  ];
};

/** Moves a migration from one of `from` to `to`; `[]` if it is already at `to`. */
const step = (
  migration: Migration,
  from: readonly MigrationStatus[],
  to: MigrationStatus | 'completed' | 'aborted',
  event: () => PoolEvent,
): PoolEvent[] => {
  if (migration.status === to) return [];
  if (from.includes(migration.status)) return [event()];
  throw poolError(
    'MIGRATION_INVALID_TRANSITION',
    `migration ${migration.id} is ${migration.status} and cannot become ${to}`,
    { migrationId: migration.id, status: migration.status, to },
  );
};

export const prepareMigration = ({ data }: PrepareMigration, state: PoolState): PoolEvent[] => {
  const m = getMigration(state, data.migrationId);
  const activation =
    data.activation === undefined
      ? 'coordinator'
      : requireOneOf('activation', data.activation, ['vm', 'coordinator'] as const);
  return step(m, ['requested'], 'prepared', () =>
    poolEvent('MigrationPrepared', { migrationId: m.id, vmId: m.vmId, activation }),
  );
};

/**
 * With `announcedAt`, the datapath activated it: the target's switch opened the ports on the
 * VM's announcement (only a migration the VM activates can say so); without, the coordinator.
 */
export const activateMigration = ({ data }: ActivateMigration, state: PoolState): PoolEvent[] => {
  const m = getMigration(state, data.migrationId);
  const announcedAt =
    data.announcedAt === undefined ? null : requireTimestamp('announcedAt', data.announcedAt);
  if (announcedAt !== null && m.status === 'prepared' && m.activation !== 'vm') {
    throw poolError(
      'MIGRATION_NOT_VM_ACTIVATED',
      `migration ${m.id} is activated by the coordinator, not by the VM's announcement`,
      { migrationId: m.id },
    );
  }
  return step(m, ['prepared'], 'activated', () =>
    poolEvent('MigrationActivated', {
      migrationId: m.id,
      vmId: m.vmId,
      activatedBy: announcedAt === null ? 'coordinator' : 'datapath',
      announcedAt,
    }),
  );
};

export const completeMigration = ({ data }: CompleteMigration, state: PoolState): PoolEvent[] => {
  const m = getMigration(state, data.migrationId);
  return step(m, ['activated'], 'completed', () =>
    poolEvent('MigrationCompleted', {
      migrationId: m.id,
      vmId: m.vmId,
      fromHostId: m.fromHostId,
      toHostId: m.toHostId,
    }),
  );
};

/** Once activated the VM forwards on the target, so the only way on is to complete. */
export const abortMigration = ({ data }: AbortMigration, state: PoolState): PoolEvent[] => {
  const m = getMigration(state, data.migrationId);
  const reason = requireText('reason', data.reason, 256);
  return step(m, ['requested', 'prepared'], 'aborted', () =>
    poolEvent('MigrationAborted', { migrationId: m.id, vmId: m.vmId, reason }),
  );
};
