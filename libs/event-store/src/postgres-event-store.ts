import type pg from 'pg';
import { toAppendResult, toSqlRequests, type SqlOutcome } from './append-sql.js';
import { DuplicateEventIdError, EventStoreError } from './errors.js';
import { GroupCommitQueue } from './group-commit.js';
import { backoff, isDuplicateEventId, isRetryable } from './pg-errors.js';
import {
  positionParams,
  READ_ALL_SQL,
  READ_STREAM_SQL,
  toRecordedEvent,
  type EventRow,
  type Queryable,
} from './sql.js';
import {
  LOG_START,
  type AppendRequest,
  type AppendResult,
  type ExpectedVersion,
  type LogPosition,
  type NewEvent,
  type RecordedEvent,
  type StoredCommand,
} from './types.js';
import { assertValidRequest } from './validation.js';
import { readStreamVersion } from './log-queries.js';
import { LOG_NOTIFY_CHANNEL } from './log-wakeups.js';

export interface EventStoreOptions {
  /**
   * Transactions writing at once; the rest queue and join the next group commit. One is the
   * measured best on a 2-core server (BENCHMARKS.md, append): more only adds lock waits and
   * keeps batches small.
   */
  maxInFlight?: number;
  /** Appends per group commit. */
  maxBatch?: number;
  maxRetries?: number;
  /**
   * NOTIFY sent after appends commit, to wake followers in other processes (relay,
   * projector, migration coordinator; they poll as well); `false` to send none.
   */
  notifyChannel?: string | false;
  /**
   * Under load at most one NOTIFY per this interval (default 5 ms); the first append after a
   * quiet spell notifies at once. Followers in this process use `onCommitted`, undelayed.
   */
  notifyMinIntervalMs?: number;
}

export interface AppendOptions {
  expectedVersion?: ExpectedVersion;
  /** Makes the append idempotent: a second append with this id returns the first result. */
  commandId?: string;
}

/** Work done inside one REPEATABLE READ transaction of the log (see `withTransaction`). */
export interface EventStoreTransaction {
  readonly client: pg.PoolClient;
  append(request: AppendRequest): Promise<AppendResult>;
}

/**
 * The pool event log on PostgreSQL (DESIGN §3). The pool it is given must default to
 * REPEATABLE READ: use `createEventStorePool`.
 */
export class PostgresEventStore {
  private readonly queue: GroupCommitQueue<AppendRequest, AppendResult>;
  private readonly maxRetries: number;
  private readonly notifier: CoalescedNotify | undefined;
  private readonly committedListeners = new Set<() => void>();

  constructor(
    readonly pool: pg.Pool,
    options: EventStoreOptions = {},
  ) {
    this.maxRetries = options.maxRetries ?? 30;
    const channel = options.notifyChannel ?? LOG_NOTIFY_CHANNEL;
    this.notifier =
      channel === false
        ? undefined
        : new CoalescedNotify(pool, channel, options.notifyMinIntervalMs ?? 5);
    this.queue = new GroupCommitQueue(
      (requests) => this.writeBatch(requests),
      options.maxInFlight ?? 1,
      options.maxBatch ?? 200,
    );
  }

  append(streamId: string, events: NewEvent[], options: AppendOptions = {}): Promise<AppendResult> {
    const commands =
      options.commandId === undefined
        ? undefined
        : [{ commandId: options.commandId, eventCount: events.length }];
    return this.appendRequest({
      streamId,
      events,
      expectedVersion: options.expectedVersion,
      commands,
    });
  }

  /**
   * Calls `listener` after every transaction of this store that appended commits (a wake-up
   * for a follower in this process, which reads the log itself). Returns the unsubscribe.
   */
  onCommitted(listener: () => void): () => void {
    this.committedListeners.add(listener);
    return () => this.committedListeners.delete(listener);
  }

  /** Appends one request; concurrent calls share transactions (group commit). */
  async appendRequest(request: AppendRequest): Promise<AppendResult> {
    assertValidRequest(request);
    return this.queue.push(request);
  }

  /**
   * Runs `work` in one REPEATABLE READ transaction, retried from the start on a serialization
   * failure, so appends made in it keep per-stream order even after other writes.
   */
  async withTransaction<T>(work: (tx: EventStoreTransaction) => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const client = await this.pool.connect();
      try {
        await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
        const result = await work({
          client,
          append: async (request) => {
            assertValidRequest(request);
            const [outcome] = await callAppend(client, [request]);
            const result = toAppendResult(request, outcome!);
            if (result instanceof Error) throw result;
            return result;
          },
        });
        await client.query('COMMIT');
        this.committed();
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        if (isRetryable(error) && attempt < this.maxRetries) {
          await backoff(attempt);
          continue;
        }
        throw error;
      } finally {
        client.release();
      }
    }
  }

  async readStream(streamId: string, fromVersion = 1, limit = 10_000): Promise<RecordedEvent[]> {
    const { rows } = await this.pool.query<EventRow>({
      name: 'es_read_stream',
      text: READ_STREAM_SQL,
      values: [streamId, fromVersion, limit],
    });
    return rows.map(toRecordedEvent);
  }

  /**
   * The next events after `after` in commit order, never skipping one still being committed.
   * The hot statements are named, so each connection parses and plans them once: unnamed, with 64
   * clients through the master, PostgreSQL used 53 µs per command instead of 45.
   */
  async readAll(after: LogPosition = LOG_START, limit = 1000, db: Queryable = this.pool) {
    const { rows } = await db.query<EventRow>({
      name: 'es_read_all',
      text: READ_ALL_SQL,
      values: [...positionParams(after), limit],
    });
    return rows.map(toRecordedEvent);
  }

  /** The command ids among `commandIds` the log has stored (idempotency), as stored. */
  async findCommands(commandIds: string[]): Promise<StoredCommand[]> {
    if (commandIds.length === 0) return [];
    const { rows } = await this.pool.query<{
      command_id: string;
      stream_id: string;
      first_version: string;
      last_version: string;
      fingerprint: string | null;
    }>({
      name: 'es_find_commands',
      text: `SELECT command_id, stream_id, first_version, last_version, fingerprint
               FROM es_commands WHERE command_id = ANY($1::text[])`,
      values: [commandIds],
    });
    return rows.map((r) => ({
      commandId: r.command_id,
      streamId: r.stream_id,
      firstVersion: Number(r.first_version),
      lastVersion: Number(r.last_version),
      fingerprint: r.fingerprint,
    }));
  }

  async streamVersion(streamId: string): Promise<number> {
    return readStreamVersion(this.pool, streamId);
  }

  private committed(): void {
    this.notifier?.send();
    for (const listener of this.committedListeners) listener();
  }

  /** Appends waiting or being written; for metrics. */
  get pendingAppends(): number {
    return this.queue.pending;
  }

  private async writeBatch(requests: AppendRequest[]): Promise<(AppendResult | Error)[]> {
    for (let attempt = 0; ; attempt++) {
      try {
        // One statement in an implicit REPEATABLE READ transaction: one round trip.
        const outcomes = await callAppend(this.pool, requests);
        if (outcomes.some((o) => o.outcome === 'appended')) this.committed();
        return requests.map((request, i) => toAppendResult(request, outcomes[i]!));
      } catch (error) {
        if (isRetryable(error) && attempt < this.maxRetries) {
          await backoff(attempt);
          continue;
        }
        if (requests.length > 1) {
          // Isolate the request that cannot be written so the others still land.
          return Promise.all(requests.map((r) => this.writeBatch([r]).then(([x]) => x!)));
        }
        return [toStoreError(requests[0]!, error)];
      }
    }
  }
}

/**
 * A NOTIFY in its own statement after commit, never inside the append: a notifying transaction
 * holds a database-wide lock through its commit, which would serialize every append's flush.
 * At most one is in flight, and one per `minIntervalMs`; appends meanwhile share the next one.
 * (Unthrottled, a group commit cost a NOTIFY round trip and a notification per listener.)
 */
class CoalescedNotify {
  private busy = false;
  private again = false;

  constructor(
    private readonly pool: pg.Pool,
    private readonly channel: string,
    private readonly minIntervalMs: number,
  ) {}

  send(): void {
    if (this.busy) {
      this.again = true;
      return;
    }
    this.busy = true;
    const started = performance.now();
    this.pool
      .query(`NOTIFY ${this.channel}`)
      .catch(() => undefined) // only a wake-up: listeners poll as well
      .finally(() => {
        const wait = this.minIntervalMs - (performance.now() - started);
        if (wait > 0) setTimeout(() => this.settle(), wait).unref();
        else this.settle();
      });
  }

  private settle(): void {
    this.busy = false;
    if (this.again) {
      this.again = false;
      this.send();
    }
  }
}

async function callAppend(db: Queryable, requests: AppendRequest[]): Promise<SqlOutcome[]> {
  const { rows } = await db.query<{ results: SqlOutcome[] }>({
    name: 'es_append',
    text: 'SELECT es_append($1::jsonb) AS results',
    values: [toSqlRequests(requests)],
  });
  return rows[0]!.results;
}

function toStoreError(request: AppendRequest, error: unknown): Error {
  if (isDuplicateEventId(error)) return new DuplicateEventIdError(request.streamId);
  if (error instanceof EventStoreError) return error;
  return error instanceof Error ? error : new Error(String(error));
}
