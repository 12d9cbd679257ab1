import {
  evolvePool,
  POOL_STATE_VERSION,
  poolStreamId,
  serializePoolState,
  upcastPoolEvent,
  type PoolState,
} from '@pool/domain';
import { readLogId, type PostgresEventStore } from '@pool/event-store';
import { poolDomainModel } from '../commands/pool-domain-model.js';
import { loadState } from '../commands/pool-writer.js';
import { encodeSnapshot, type WireMessage } from '@pool/contracts';

interface Entry {
  /** The log the state was read from: hosts compare it with the one they follow. */
  logId: string;
  state: PoolState;
  version: number;
  /** The encoded reply at `version`: a fleet of hosts starting at once asks for the same one. */
  encoded?: { version: number; messages: WireMessage[] };
}

/**
 * The latest committed state of the pools hosts ask about, for the snapshot subject. Loaded
 * once like the leader loads it (stored snapshot + tail), then kept current by reading only the
 * events after it, so a request costs the new events plus one encoding per version. It never
 * uses the leader's in-memory state: that holds decided events before their commit.
 */
export class PoolStateCache {
  private readonly entries = new Map<string, Promise<Entry>>();

  constructor(
    private readonly store: PostgresEventStore,
    private readonly maxPools = 16,
  ) {}

  /** The pool's snapshot reply at its latest committed version. */
  encoded(pool: string, maxPayload: number): Promise<{ version: number; messages: WireMessage[] }> {
    // Requests for one pool run one after the other: the state is updated in place.
    const next = (this.entries.get(pool) ?? this.load(pool)).then(
      (entry) => this.refresh(pool, entry),
      () => this.load(pool).then((entry) => this.refresh(pool, entry)),
    );
    this.entries.delete(pool); // re-inserted last: the Map's order is the LRU order
    this.entries.set(pool, next);
    while (this.entries.size > this.maxPools) {
      this.entries.delete(this.entries.keys().next().value!);
    }
    return next.then((entry) => {
      if (entry.encoded?.version !== entry.version) {
        const reply = {
          pool,
          version: entry.version,
          stateVersion: POOL_STATE_VERSION,
          state: serializePoolState(entry.state),
          logId: entry.logId,
        };
        entry.encoded = { version: entry.version, messages: encodeSnapshot(reply, maxPayload) };
      }
      return entry.encoded;
    });
  }

  private async load(pool: string): Promise<Entry> {
    const logId = await readLogId(this.store.pool);
    const { state, version } = await loadState(poolStreamId(pool), this.store, poolDomainModel);
    return { logId, state, version };
  }

  private async refresh(pool: string, entry: Entry): Promise<Entry> {
    for (;;) {
      const events = await this.store.readStream(poolStreamId(pool), entry.version + 1, 5000);
      for (const event of events) {
        evolvePool(entry.state, upcastPoolEvent(event));
        entry.version = event.streamVersion;
      }
      if (events.length < 5000) return entry;
    }
  }
}
