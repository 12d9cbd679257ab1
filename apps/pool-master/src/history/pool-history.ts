import { Logger, type Provider } from '@nestjs/common';
import { type PoolDiff, type PoolExport, type PoolStateAt, type RevertPlan } from '@pool/contracts';
import {
  diffPoolStates,
  exportPoolCommands,
  POOL_STATE_VERSION,
  poolStreamId,
  revertPlan,
  sharedPoolSnapshot,
  type PoolSnapshot,
} from '@pool/domain';
import {
  HISTORY_SNAPSHOT_EVERY,
  PoolStateFolder,
  PostgresEventStore,
  streamVersionAt,
  type LoadedPoolState,
} from '@pool/event-store';
import { CommandError } from '../commands/command-errors.js';
import { type Point } from './history-query.js';

/**
 * Reads a pool's past from its log (issue 22): the state at a version is the nearest snapshot
 * at or below it plus the events up to it, never a replay of the whole log; folding past a
 * multiple of `snapshotEvery` leaves a history snapshot there, so the next read of any version
 * near it starts close by. Reads only committed events, so every replica answers alike.
 */
export class PoolHistory {
  private readonly logger = new Logger('PoolHistory');

  private readonly folder: PoolStateFolder;

  constructor(
    private readonly store: PostgresEventStore,
    snapshotEvery: number,
  ) {
    this.folder = new PoolStateFolder(store, snapshotEvery, (message) => this.logger.warn(message));
  }

  async stateAt(pool: string, point: Point): Promise<PoolStateAt> {
    const head = await this.head(pool);
    const version = await this.resolve(pool, point, head, 'version');
    const loaded = await this.load(pool, version);
    return {
      pool,
      version,
      head,
      recordedAt: await this.recordedAt(pool, version),
      stateVersion: POOL_STATE_VERSION,
      state: sharedPoolSnapshot(loaded.state),
      loadedFrom: { snapshotVersion: loaded.snapshotVersion, eventsFolded: loaded.eventsFolded },
    };
  }

  /** Objects added, changed and removed from `from` to `to`, with the events that named them. */
  async diff(pool: string, fromPoint: Point, toPoint: Point): Promise<PoolDiff> {
    const head = await this.head(pool);
    const from = await this.resolve(pool, fromPoint, head, 'from');
    const to = await this.resolve(pool, toPoint, head, 'to');
    // Two folds at once: one waits on PostgreSQL while the other decodes.
    const [before, after] = await Promise.all([
      this.snapshotAt(pool, from),
      this.snapshotAt(pool, to),
    ]);
    const objects = await this.folder.attribute(pool, diffPoolStates(before, after), from, to);
    return { pool, from, to, objects };
  }

  /** The configuration at `point` as the commands that build it in an empty pool. */
  async exportAt(pool: string, point: Point): Promise<PoolExport> {
    const head = await this.head(pool);
    const version = await this.resolve(pool, point, head, 'version');
    const state = await this.snapshotAt(pool, version);
    const { commands, notPlanned } = exportPoolCommands(state);
    return { pool, version, commands, notExported: notPlanned };
  }

  /**
   * The dry run of a revert to `point`: commands from the configuration at `fromVersion` (by
   * default the head) to its. A revert applied computes its plan at the version it expects, so
   * a retry after the pool moved on gets the same plan (and its idempotency key the same
   * fingerprint); a version beyond the head is 409 VERSION_MISMATCH, as the writer would say.
   */
  async revertPlan(pool: string, point: Point, fromVersion?: number): Promise<RevertPlan> {
    const head = await this.head(pool);
    const to = await this.resolve(pool, point, head, 'to');
    if (fromVersion !== undefined && fromVersion > head) throw versionMismatch(head, fromVersion);
    const from = fromVersion ?? head;
    const [now, target] = await Promise.all([
      this.snapshotAt(pool, from),
      this.snapshotAt(pool, to),
    ]);
    const { commands, notPlanned } = revertPlan(now, target);
    return { pool, from, to, commands, notReverted: notPlanned };
  }

  /** The pool's version now; 0: no such pool. */
  headOf(pool: string): Promise<number> {
    return this.store.streamVersion(poolStreamId(pool));
  }

  /** The pool's version now and its configuration then; version 0 and null: no such pool. */
  async current(pool: string): Promise<{ version: number; state: PoolSnapshot | null }> {
    const version = await this.headOf(pool);
    if (version === 0) return { version, state: null };
    return { version, state: await this.snapshotAt(pool, version) };
  }

  /** Indexes the pool's new events and leaves its history snapshots (the keeper's work). */
  catchUp(pool: string): Promise<number> {
    return this.folder.catchUp(pool);
  }

  /** The state at `version` (≤ the head): nearest snapshot plus the events up to it. */
  load(pool: string, version: number): Promise<LoadedPoolState> {
    return this.folder.load(pool, version);
  }

  /** The configuration at `version`, sharing the objects of a fold made for this read alone. */
  private async snapshotAt(pool: string, version: number): Promise<PoolSnapshot> {
    return sharedPoolSnapshot((await this.load(pool, version)).state);
  }

  private async head(pool: string): Promise<number> {
    const head = await this.store.streamVersion(poolStreamId(pool));
    if (head === 0) {
      throw new CommandError(404, 'POOL_NOT_FOUND', `Pool ${pool} does not exist.`, { pool });
    }
    return head;
  }

  private async resolve(pool: string, point: Point, head: number, name: string): Promise<number> {
    if (point === 'head') return head;
    if ('time' in point) {
      if (point.time.getTime() > Date.now()) {
        throw new CommandError(
          400,
          'TIME_IN_FUTURE',
          `${name} ${point.time.toISOString()} is in the future; the pool's history ends now.`,
          { field: name, head },
        );
      }
      return streamVersionAt(this.store.pool, poolStreamId(pool), point.time);
    }
    if (point.version > head) {
      throw new CommandError(
        400,
        'VERSION_BEYOND_HEAD',
        `${name} ${point.version} is beyond the pool's version ${head}.`,
        { field: name, head },
      );
    }
    return point.version;
  }

  private async recordedAt(pool: string, version: number): Promise<string | null> {
    if (version === 0) return null;
    const [event] = await this.store.readStream(poolStreamId(pool), version, 1);
    return event?.createdAt ?? null;
  }
}

/** The pool is not at the version a write expected (409, as a batch's body states it). */
export const versionMismatch = (current: number, expected: number): CommandError =>
  new CommandError(
    409,
    'VERSION_MISMATCH',
    `The pool is at version ${current}, not ${expected} as the request expected.`,
    { currentVersion: current },
  );

/** `PoolHistory` over the global event store, for the modules that read history. */
export const historyProvider = (snapshotEvery = HISTORY_SNAPSHOT_EVERY): Provider => ({
  provide: PoolHistory,
  inject: [PostgresEventStore],
  useFactory: (store: PostgresEventStore) => new PoolHistory(store, snapshotEvery),
});
