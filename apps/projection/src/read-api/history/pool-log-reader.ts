import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import {
  poolStreamId,
  type HistoryEntryView,
  type HistoryEventView,
  type Page,
} from '@pool/contracts';
import { diffPoolStates, namesObject, sharedPoolSnapshot, touchedObjects } from '@pool/domain';
import {
  createEventStorePool,
  HISTORY_SNAPSHOT_EVERY,
  PoolStateFolder,
  PostgresEventStore,
  type RecordedEvent,
} from '@pool/event-store';
import type pg from 'pg';
import { ProjectionConfig } from '../../config/projection.config.js';
import { notFound } from '../queries/sql-fragments.js';

/** What the history view filters on; all given must match. */
export interface HistoryFilter {
  /** Only events below this version (the previous page's cursor); default: the head. */
  before?: number;
  limit: number;
  actor?: string;
  /** `kind/id`, or an id of any kind. */
  object?: string;
  /** An event type, e.g. `VmStarted`. */
  type?: string;
}

/** Events read back per step of a filtered scan. */
const SCAN_PAGE = 500;
/**
 * A filtered page stops after this many events scanned, found or not, and gives a cursor to
 * go on: a rare actor in a long log costs pages, never one unbounded request.
 */
const SCAN_LIMIT = 20_000;

/**
 * The pool's log for the console (issue 22): its events newest first with actor, time and the
 * objects each names, filtered; one event with the diff it made (the configuration before and
 * after it, folded from the nearest history snapshot, as the master's `/diff` does).
 */
@Injectable()
export class PoolLogReader implements OnApplicationShutdown {
  private readonly logger = new Logger('PoolLogReader');
  private readonly db: pg.Pool;
  private readonly store: PostgresEventStore;
  private readonly folder: PoolStateFolder;

  constructor(@Inject(ProjectionConfig) config: ProjectionConfig) {
    this.db = createEventStorePool({
      connectionString: config.databaseUrl,
      applicationName: 'poolnet-projection-history',
      max: 2,
      statementTimeoutMs: 30_000,
    });
    this.db.on('error', () => undefined); // idle clients dying are replaced on demand
    this.store = new PostgresEventStore(this.db, { notifyChannel: false });
    this.folder = new PoolStateFolder(this.store, HISTORY_SNAPSHOT_EVERY, (message) =>
      this.logger.warn(message),
    );
  }

  async list(pool: string, filter: HistoryFilter): Promise<Page<HistoryEntryView>> {
    const head = await this.head(pool);
    const streamId = poolStreamId(pool);
    const matches = this.matcher(pool, filter);
    const items: HistoryEntryView[] = [];
    let below = Math.min(filter.before ?? head + 1, head + 1);
    const stopAt = Math.max(1, below - SCAN_LIMIT);
    while (below > stopAt && items.length < filter.limit) {
      const from = Math.max(stopAt, below - SCAN_PAGE);
      const events = await this.store.readStream(streamId, from, below - from);
      for (const event of events.reverse()) {
        below = event.streamVersion;
        if (!matches(event)) continue;
        items.push(entry(pool, event));
        if (items.length === filter.limit) break;
      }
      if (events.length === 0) break;
    }
    return { items, nextCursor: below > 1 ? String(below) : null };
  }

  async event(pool: string, version: number): Promise<HistoryEventView> {
    const head = await this.head(pool);
    const [event] =
      version >= 1 && version <= head
        ? await this.store.readStream(poolStreamId(pool), version, 1)
        : [];
    if (!event) {
      throw notFound('EVENT_NOT_FOUND', `pool "${pool}" has no event at version ${version}`);
    }
    // Each fold is made for this read alone: its snapshot may share the fold's objects.
    const before = sharedPoolSnapshot((await this.folder.load(pool, version - 1)).state);
    const after = sharedPoolSnapshot((await this.folder.load(pool, version)).state);
    const changes = await this.folder.attribute(
      pool,
      diffPoolStates(before, after),
      version - 1,
      version,
    );
    return { ...entry(pool, event), data: event.data, changes };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.db.end().catch(() => undefined);
  }

  private async head(pool: string): Promise<number> {
    const head = await this.store.streamVersion(poolStreamId(pool));
    if (head === 0) throw notFound('POOL_NOT_FOUND', `no pool "${pool}"`);
    return head;
  }

  private matcher(pool: string, filter: HistoryFilter): (event: RecordedEvent) => boolean {
    const { actor, object, type } = filter;
    return (event) => {
      if (type !== undefined && event.type !== type) return false;
      if (actor !== undefined && event.metadata.actor !== actor) return false;
      return object === undefined || namesObject(event, pool, object);
    };
  }
}

const entry = (pool: string, event: RecordedEvent): HistoryEntryView => ({
  version: event.streamVersion,
  type: event.type,
  actor: typeof event.metadata.actor === 'string' ? event.metadata.actor : null,
  recordedAt: event.createdAt,
  objects: touchedObjects(event, pool),
});
