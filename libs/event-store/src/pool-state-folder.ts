import { DIFF_EVENTS_PER_OBJECT, type DiffEventRef, type DiffObjectChange } from '@pool/contracts';
import {
  deserializePoolState,
  evolvePool,
  initialPoolState,
  objectKey,
  POOL_STATE_VERSION,
  poolStreamId,
  sharedPoolSnapshot,
  touchedObjects,
  upcastPoolEvent,
  type ObjectChange,
  type PoolState,
} from '@pool/domain';
import {
  indexedVersion,
  objectHistories,
  ordinalsAt,
  recordTouches,
  type ObjectTouch,
} from './history-index.js';
import { type PostgresEventStore } from './postgres-event-store.js';
import { loadSnapshotAtOrBelow, saveHistorySnapshot } from './snapshot-history.js';
import { type RecordedEvent } from './types.js';
import { backoff, isRetryable } from './pg-errors.js';

const PAGE = 5000;

/** A state loaded at a version, and how. */
export interface LoadedPoolState {
  state: PoolState;
  version: number;
  snapshotVersion: number;
  eventsFolded: number;
}

/**
 * A pool's configuration at any version, folded from its log (issue 22): the nearest history
 * snapshot at or below the version plus the events up to it, never a replay of the whole log.
 * `catchUp` keeps the history ahead of the reads as the log grows: a history snapshot at every
 * multiple of `snapshotEvery` and the object index (history-index.ts) that lets a diff name
 * the events behind each change without reading the range between its versions. Shared by the
 * master's history API (and its background keeper) and the projection's console.
 */
export class PoolStateFolder {
  /** Per pool: the state at its index mark, so the next catch-up folds only the new events. */
  private readonly atMark = new Map<string, LoadedPoolState>();
  /** Per pool: the catch-up running, so two never fold the same state at once. */
  private readonly catchingUp = new Map<string, Promise<number>>();

  constructor(
    private readonly store: PostgresEventStore,
    private readonly snapshotEvery: number,
    private readonly warn: (message: string) => void,
  ) {}

  /** The state at `version` (≤ the head): nearest snapshot plus the events up to it. */
  async load(pool: string, version: number): Promise<LoadedPoolState> {
    const streamId = poolStreamId(pool);
    const snapshot = await loadSnapshotAtOrBelow(
      this.store.pool,
      streamId,
      POOL_STATE_VERSION,
      version,
    );
    // The row was parsed for this read alone: the state may keep its objects.
    let state = snapshot
      ? deserializePoolState(snapshot.state, { owned: true })
      : initialPoolState();
    const snapshotVersion = snapshot?.streamVersion ?? 0;
    let at = snapshotVersion;
    while (at < version) {
      const events = await this.store.readStream(streamId, at + 1, Math.min(PAGE, version - at));
      if (events.length === 0) break;
      for (const event of events) {
        state = evolvePool(state, upcastPoolEvent(event));
        at = event.streamVersion;
        if (at % this.snapshotEvery === 0) await this.keep(streamId, at, state);
      }
    }
    return { state, version: at, snapshotVersion, eventsFolded: at - snapshotVersion };
  }

  /**
   * Indexes the pool's events up to `upTo` (default: the head) and leaves the history
   * snapshots on the way; returns how far the index reaches. Incremental: it starts at the
   * stream's mark, from the state this folder left there when it can. Readers call it before
   * using the index, so an answer is exact even when the background keeper is behind.
   */
  async catchUp(pool: string, upTo?: number): Promise<number> {
    for (;;) {
      const running = this.catchingUp.get(pool);
      if (!running) break;
      const reached = await running.catch(() => 0);
      if (upTo !== undefined && reached >= upTo) return reached;
    }
    const run = this.indexRetrying(pool, upTo).finally(() => this.catchingUp.delete(pool));
    this.catchingUp.set(pool, run);
    return run;
  }

  /** Attaches to each change how many events between the versions named it, and the latest. */
  async attribute(
    pool: string,
    changes: ObjectChange[],
    from: number,
    to: number,
  ): Promise<DiffObjectChange[]> {
    const [low, high] = from <= to ? [from, to] : [to, from];
    if (changes.length === 0 || low === high) return changes.map(unattributed);
    await this.catchUp(pool, high);
    const keys = changes.map((c) => objectKey(c.kind, c.id));
    const histories = await objectHistories(
      this.store.pool,
      poolStreamId(pool),
      keys,
      low,
      high,
      DIFF_EVENTS_PER_OBJECT,
    );
    return changes.map((change, i) => {
      const history = histories.get(keys[i]!);
      if (!history) return unattributed(change);
      return { ...change, events: history.latest.map(toEventRef), eventCount: history.count };
    });
  }

  /**
   * Every master replica keeps the history, so two may index one pool at once: the one that
   * loses the race (a serialization failure) starts again from the mark the other moved.
   */
  private async indexRetrying(pool: string, upTo: number | undefined): Promise<number> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.indexFrom(pool, upTo);
      } catch (error) {
        if (attempt >= 5 || !isRetryable(error)) throw error;
        await backoff(attempt);
      }
    }
  }

  private async indexFrom(pool: string, upTo: number | undefined): Promise<number> {
    const streamId = poolStreamId(pool);
    const db = this.store.pool;
    const target = upTo ?? (await this.store.streamVersion(streamId));
    const mark = await indexedVersion(db, streamId);
    if (mark >= target) return mark;
    const kept = this.atMark.get(pool);
    this.atMark.delete(pool); // folded in place below: only a finished catch-up leaves it
    const loaded = kept?.version === mark ? kept : await this.load(pool, mark);
    let state = loaded.state;
    let at = mark;
    const ordinals = new Map<string, number>();
    while (at < target) {
      const events = await this.store.readStream(streamId, at + 1, Math.min(PAGE, target - at));
      if (events.length === 0) break;
      const named = events.map((event) => touchedObjects(event, pool));
      const unknown = [...new Set(named.flat())].filter((key) => !ordinals.has(key));
      const known = await ordinalsAt(db, streamId, unknown, at);
      for (const key of unknown) ordinals.set(key, known.get(key) ?? 0);
      const touches: ObjectTouch[] = [];
      for (const [i, event] of events.entries()) {
        state = evolvePool(state, upcastPoolEvent(event));
        at = event.streamVersion;
        for (const key of named[i]!) {
          const ordinal = ordinals.get(key)! + 1;
          ordinals.set(key, ordinal);
          touches.push(touchOf(event, key, ordinal));
        }
        if (at % this.snapshotEvery === 0) await this.keep(streamId, at, state);
      }
      await recordTouches(db, streamId, touches, at);
    }
    this.atMark.set(pool, { ...loaded, state, version: at });
    return at;
  }

  /**
   * Leaves a history snapshot at `version`, awaited so the next read starts from it; a failure
   * to write one only costs that read's successors a longer fold.
   */
  private async keep(streamId: string, version: number, state: PoolState): Promise<void> {
    // Shared, not copied: saveHistorySnapshot turns it into text before the fold goes on.
    const snapshot = {
      streamId,
      streamVersion: version,
      stateVersion: POOL_STATE_VERSION,
      state: sharedPoolSnapshot(state),
    };
    await saveHistorySnapshot(this.store.pool, snapshot).catch((error: unknown) =>
      this.warn(`cannot keep a history snapshot of ${streamId}@${version}: ${String(error)}`),
    );
  }
}

const unattributed = (change: ObjectChange): DiffObjectChange => ({
  ...change,
  events: [],
  eventCount: 0,
});

const actorOf = (event: RecordedEvent): string | null =>
  typeof event.metadata.actor === 'string' ? event.metadata.actor : null;

const touchOf = (event: RecordedEvent, objectKey: string, ordinal: number): ObjectTouch => ({
  objectKey,
  streamVersion: event.streamVersion,
  ordinal,
  eventType: event.type,
  actor: actorOf(event),
  recordedAt: event.createdAt,
});

const toEventRef = (touch: ObjectTouch): DiffEventRef => ({
  version: touch.streamVersion,
  type: touch.eventType,
  actor: touch.actor,
  recordedAt: touch.recordedAt,
});
