import { poolIdOfStream } from '@pool/contracts';
import { upcastPoolEvent } from '@pool/domain';
import {
  comparePositions,
  LOG_START,
  readLogHead,
  type PostgresEventStore,
  type RecordedEvent,
} from '@pool/event-store';
import type pg from 'pg';
import { deriveGroup } from './derive/derive-rows.js';
import { PoolFold, type GroupKey } from './derive/pool-fold.js';
import {
  type ChangeMessage,
  commitBatch,
  loadReadModelCheckpoint,
  type StoredCheckpoint,
} from './read-model-store.js';
import { CHANGE_KINDS } from './read-model-tables.js';
import { ChangeSet, RowCache } from './row-diff.js';

export interface ProjectorOptions {
  /** Reads the log in commit order (readAll, with the xmin fence). */
  store: PostgresEventStore;
  /** Where rows and the checkpoint are written, one transaction per batch. */
  db: pg.Pool;
  /** Most events folded into one batch (one transaction). */
  batchSize?: number;
  /** Poll interval when idle; `notify()` (on the NOTIFY after each append) wakes the projector sooner. */
  idleMs?: number;
  onBatch?: (stats: BatchStats) => void;
  onError?: (error: unknown) => void;
}

export interface BatchStats {
  events: number;
  rows: number;
  pools: number;
  ms: number;
  checkpoint: StoredCheckpoint;
}

const REPLAY_PAGE = 5_000;

/**
 * Follows the log into the read models. Each pool is folded with the pure domain in memory;
 * after a batch, the row groups its events touched are derived again and only rows that differ
 * from what was last written are written, with the checkpoint, in one statement. On start
 * (and after any failure) it replays the log up to the stored checkpoint in memory, writing
 * nothing: rows and checkpoint always commit together, so they describe that same point.
 */
export class Projector {
  private readonly folds = new Map<string, PoolFold>();
  private readonly cache = new RowCache();
  private checkpoint: StoredCheckpoint = { position: LOG_START, events: 0 };
  private started = false;
  private wake: (() => void) | undefined;
  /** A notify that came while busy: the next idle returns at once. */
  private woken = false;

  constructor(private readonly options: ProjectorOptions) {}

  get position(): StoredCheckpoint {
    return this.checkpoint;
  }

  /** Runs until the signal aborts (leadership lost, shutdown); restarts itself after failures. */
  async run(signal: AbortSignal): Promise<void> {
    let failures = 0;
    while (!signal.aborted) {
      try {
        if (!this.started) await this.start();
        this.woken = false;
        const events = await this.step();
        failures = 0;
        if (events === 0) {
          await this.idle(this.options.idleMs ?? 1_000, signal);
          await this.checkUnmoved();
        }
      } catch (error) {
        this.started = false;
        this.options.onError?.(error);
        failures++;
        await this.idle(Math.min(5_000, 50 * 2 ** failures), signal);
      }
    }
  }

  /** Wakes an idle projector (the NOTIFY after an append). */
  notify(): void {
    if (this.wake) this.wake();
    else this.woken = true;
  }

  /** Replays the log up to the stored checkpoint in memory, without writing. */
  async start(): Promise<void> {
    this.folds.clear();
    this.cache.clear();
    this.checkpoint = await loadReadModelCheckpoint(this.options.db);
    const target = this.checkpoint.position;
    let position = LOG_START;
    let replayed = 0;
    while (comparePositions(position, target) < 0) {
      const events = await this.options.store.readAll(position, REPLAY_PAGE);
      if (events.length === 0) throw new Error('the log ends before the read-model checkpoint');
      for (const event of events) {
        if (comparePositions(event.position, target) > 0) {
          throw new Error('the read-model checkpoint names no event of the log: rebuild them');
        }
        this.fold(event);
        replayed++;
        position = event.position;
        if (comparePositions(position, target) === 0) break;
      }
    }
    const rebuilt = new ChangeSet();
    for (const fold of this.folds.values()) {
      for (const group of fold.allGroups()) {
        this.cache.diff(fold.poolId, group, deriveGroup(fold, group), rebuilt);
      }
    }
    this.cache.commit(rebuilt);
    this.checkpoint = { position: this.checkpoint.position, events: replayed };
    this.started = true;
  }

  /** Folds and writes the next batch; returns how many events it held (0: caught up). */
  async step(): Promise<number> {
    if (!this.started) await this.start();
    try {
      return await this.project();
    } catch (error) {
      // The folds may be ahead of what committed: replay from the checkpoint next time.
      this.started = false;
      throw error;
    }
  }

  private async project(): Promise<number> {
    const started = performance.now();
    const events = await this.options.store.readAll(
      this.checkpoint.position,
      this.options.batchSize ?? 1_000,
    );
    if (events.length === 0) return 0;
    const touched = new Map<PoolFold, Set<GroupKey>>();
    for (const event of events) {
      const folded = this.fold(event);
      if (!folded) continue;
      const [fold, groups] = folded;
      const all = touched.get(fold) ?? new Set<GroupKey>();
      touched.set(fold, all);
      for (const group of groups) all.add(group);
    }
    const changes = new ChangeSet();
    for (const [fold, groups] of touched) {
      for (const group of groups) {
        this.cache.diff(fold.poolId, group, deriveGroup(fold, group), changes);
      }
    }
    const next: StoredCheckpoint = {
      position: events[events.length - 1]!.position,
      events: this.checkpoint.events + events.length,
    };
    await this.commit(changes, next, [...touched.keys()]);
    this.cache.commit(changes);
    this.checkpoint = next;
    this.options.onBatch?.({
      events: events.length,
      rows: changes.rowCount,
      pools: touched.size,
      ms: performance.now() - started,
      checkpoint: next,
    });
    return events.length;
  }

  /**
   * Runs batches until the checkpoint reaches the last event committed when it was called (a
   * rebuild, tests). The xmin fence may hold back events of transactions that committed
   * behind a still-running one, so an empty batch means "wait", not "done".
   */
  async catchUp(signal?: AbortSignal): Promise<number> {
    const head = await readLogHead(this.options.db);
    let total = 0;
    if (!this.started) await this.start();
    while (head && comparePositions(this.checkpoint.position, head) < 0) {
      if (signal?.aborted) break;
      const events = await this.step();
      total += events;
      if (events === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return total;
  }

  private fold(event: RecordedEvent): [PoolFold, GroupKey[]] | undefined {
    const poolId = poolIdOfStream(event.streamId);
    if (poolId === undefined) return undefined; // not a pool stream: nothing to project
    let fold = this.folds.get(poolId);
    if (!fold) this.folds.set(poolId, (fold = new PoolFold(poolId)));
    if (event.streamVersion !== fold.version + 1) {
      throw new Error(
        `pool ${poolId}: event version ${event.streamVersion} after ${fold.version} (gap or repeat)`,
      );
    }
    return [fold, fold.apply(upcastPoolEvent(event), event.streamVersion, event.createdAt)];
  }

  private async commit(changes: ChangeSet, next: StoredCheckpoint, pools: PoolFold[]) {
    const messages: ChangeMessage[] = pools.map((fold) => ({
      type: 'change',
      pool: fold.poolId,
      version: fold.version,
      kinds: CHANGE_KINDS.filter((kind) => changes.kinds.get(fold.poolId)?.has(kind)),
    }));
    await commitBatch(this.options.db, changes, this.checkpoint, next, messages);
  }

  /** A rebuild may reset the checkpoint while this projector idles: start over if so. */
  private async checkUnmoved(): Promise<void> {
    const stored = await loadReadModelCheckpoint(this.options.db);
    if (comparePositions(stored.position, this.checkpoint.position) !== 0) this.started = false;
  }

  private idle(ms: number, signal: AbortSignal): Promise<void> {
    if (this.woken) {
      this.woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener('abort', done);
      this.wake = done;
    });
  }
}
