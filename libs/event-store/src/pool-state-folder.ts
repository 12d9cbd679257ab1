import { DIFF_EVENTS_PER_OBJECT, type DiffEventRef, type DiffObjectChange } from '@pool/contracts';
import {
  deserializePoolState,
  evolvePool,
  initialPoolState,
  objectKey,
  POOL_STATE_VERSION,
  poolStreamId,
  serializePoolState,
  touchedObjects,
  upcastPoolEvent,
  type ObjectChange,
  type PoolState,
} from '@pool/domain';
import { type PostgresEventStore } from './postgres-event-store.js';
import { loadSnapshotAtOrBelow, saveHistorySnapshot } from './snapshot-history.js';

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
 * Folding past a multiple of `snapshotEvery` leaves a history snapshot there, so the next read
 * near it starts close by. Shared by the master's history API and the projection's console.
 */
export class PoolStateFolder {
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
    let state = snapshot ? deserializePoolState(snapshot.state) : initialPoolState();
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

  /** Attaches to each change the events between the versions (either way) that named it. */
  async attribute(
    pool: string,
    changes: ObjectChange[],
    from: number,
    to: number,
  ): Promise<DiffObjectChange[]> {
    const byKey = new Map(
      changes.map((c) => [
        objectKey(c.kind, c.id),
        { ...c, events: [] as DiffEventRef[], eventCount: 0 },
      ]),
    );
    const streamId = poolStreamId(pool);
    const [low, high] = from <= to ? [from, to] : [to, from];
    for (let at = low; at < high && byKey.size > 0;) {
      const events = await this.store.readStream(streamId, at + 1, Math.min(PAGE, high - at));
      if (events.length === 0) break;
      for (const event of events) {
        at = event.streamVersion;
        // Ids keep their field names across schema versions: no upcast needed to find them.
        for (const key of touchedObjects(event, pool)) {
          const change = byKey.get(key);
          if (!change) continue;
          change.eventCount++;
          change.events.push({
            version: event.streamVersion,
            type: event.type,
            actor: typeof event.metadata.actor === 'string' ? event.metadata.actor : null,
            recordedAt: event.createdAt,
          });
          if (change.events.length > DIFF_EVENTS_PER_OBJECT) change.events.shift();
        }
      }
    }
    return [...byKey.values()];
  }

  /**
   * Leaves a history snapshot at `version`, awaited so the next read starts from it; a failure
   * to write one only costs that read's successors a longer fold.
   */
  private async keep(streamId: string, version: number, state: PoolState): Promise<void> {
    const snapshot = {
      streamId,
      streamVersion: version,
      stateVersion: POOL_STATE_VERSION,
      state: serializePoolState(state),
    };
    await saveHistorySnapshot(this.store.pool, snapshot).catch((error: unknown) =>
      this.warn(`cannot keep a history snapshot of ${streamId}@${version}: ${String(error)}`),
    );
  }
}
