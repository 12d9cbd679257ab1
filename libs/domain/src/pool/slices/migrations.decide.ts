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
import type { Migration, MigrationStatus } from '../pool.types.js';
import { requireId, requireText } from '../pool.validation.js';
import { getMigration, getVm, requireNewId } from './lookups.js';
import { requirePlacement } from './uplinks.js';
import { requireNotMigrating, requireRunning } from './vms.decide.js';

/*
 * The migration saga (DESIGN §5): requested → prepared → activated → completed, or aborted
 * before activation. Repeating the step a migration has already taken decides nothing, so a
 * coordinator may retry (a concurrent activate is a no-op, Neutron LP#1986003). A finished
 * migration leaves the state: a command naming it gets MIGRATION_NOT_FOUND.
 */

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
  return [
    poolEvent('MigrationRequested', {
      migrationId,
      vmId: vm.id,
      fromHostId,
      toHostId,
      requestedAt: metadata.now,
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
  return step(m, ['requested'], 'prepared', () =>
    poolEvent('MigrationPrepared', { migrationId: m.id, vmId: m.vmId }),
  );
};

export const activateMigration = ({ data }: ActivateMigration, state: PoolState): PoolEvent[] => {
  const m = getMigration(state, data.migrationId);
  return step(m, ['prepared'], 'activated', () =>
    poolEvent('MigrationActivated', { migrationId: m.id, vmId: m.vmId }),
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
