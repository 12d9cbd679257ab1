import type pg from 'pg';
import { EVENT_COLUMNS, positionParams, toRecordedEvent, type EventRow } from './sql.js';
import type { LogPosition, RecordedEvent } from './types.js';

/*
 * What the apps ask of the log besides reading events: its head, stream versions, how far a
 * reader lags. The tables and their columns stay here (docs/design.md §3, "one owner"); apps
 * pass their connection (`db`) so a question can share their transaction.
 */

/**
 * Whatever runs one parameterised statement and returns its rows: a `pg` pool or client, or an
 * adapter over another driver (the read API's TypeORM data source).
 */
export interface LogQueryable {
  query<R extends pg.QueryResultRow>(text: string, values?: unknown[]): Promise<{ rows: R[] }>;
}

/** The last committed event's position, or undefined for an empty log. */
export async function readLogHead(db: LogQueryable): Promise<LogPosition | undefined> {
  const { rows } = await db.query<{ e: number; t: string; p: string }>(
    `SELECT log_epoch AS e, transaction_id::text AS t, global_position::text AS p
       FROM es_events ORDER BY log_epoch DESC, transaction_id DESC, global_position DESC LIMIT 1`,
  );
  const row = rows[0];
  return row && { epoch: row.e, transactionId: row.t, globalPosition: row.p };
}

/**
 * The log's identity: a random id made with the log (migration LogIdentity), kept by a backup
 * restored, another for a log made anew. Hosts compare it to tell another log from their own.
 */
export async function readLogId(db: LogQueryable): Promise<string> {
  const { rows } = await db.query<{ id: string }>('SELECT log_id::text AS id FROM es_log_identity');
  if (!rows[0]) throw new Error('the event log has no identity: run the migrations');
  return rows[0].id;
}

/** A stream's version (its last event's), 0 for a stream with no events. */
export async function readStreamVersion(db: LogQueryable, streamId: string): Promise<number> {
  const { rows } = await db.query<{ version: string }>(
    'SELECT version::text FROM es_streams WHERE stream_id = $1',
    [streamId],
  );
  return rows[0] ? Number(rows[0].version) : 0;
}

/** The version of every stream whose id starts with `prefix` (stream id → version). */
export async function streamVersionsWithPrefix(
  db: LogQueryable,
  prefix: string,
): Promise<Map<string, number>> {
  const { rows } = await db.query<{ id: string; version: string }>(
    `SELECT stream_id AS id, version::text FROM es_streams WHERE starts_with(stream_id, $1)`,
    [prefix],
  );
  return new Map(rows.map((row) => [row.id, Number(row.version)]));
}

/**
 * The sum of the versions of the streams whose id starts with `prefix`: the events a reader of
 * all of them has folded once complete.
 */
export async function totalStreamVersions(db: LogQueryable, prefix: string): Promise<number> {
  const { rows } = await db.query<{ total: string }>(
    `SELECT coalesce(sum(version), 0)::text AS total FROM es_streams
      WHERE starts_with(stream_id, $1)`,
    [prefix],
  );
  return Number(rows[0]?.total ?? 0);
}

/**
 * Seconds since the first event after `position` was committed: how far behind a reader at
 * `position` is in time; 0 when nothing follows it.
 */
export async function ageOfFirstEventAfter(
  db: LogQueryable,
  position: LogPosition,
): Promise<number> {
  const { rows } = await db.query<{ age: number | null }>(
    `SELECT extract(epoch FROM now() - created_at)::float8 AS age FROM es_events
      WHERE (log_epoch, transaction_id, global_position) > ($1::smallint, $2::xid8, $3::bigint)
      ORDER BY log_epoch, transaction_id, global_position LIMIT 1`,
    positionParams(position),
  );
  return Math.max(0, rows[0]?.age ?? 0);
}

/**
 * For each of `versions` of a stream, the seconds since that event was committed (versions
 * the stream does not have are left out).
 */
export async function ageOfStreamEvents(
  db: LogQueryable,
  streamId: string,
  versions: readonly number[],
): Promise<Map<number, number>> {
  if (versions.length === 0) return new Map();
  const { rows } = await db.query<{ version: number; age: number }>(
    `SELECT stream_version::int AS version,
            greatest(0, extract(epoch FROM now() - created_at))::float8 AS age
       FROM es_events WHERE stream_id = $1 AND stream_version = ANY($2::bigint[])`,
    [streamId, versions],
  );
  return new Map(rows.map((row) => [row.version, row.age]));
}

/**
 * Every event visible to `db`'s snapshot after `after`, in commit order, `limit` at a time. No
 * xmin fence (unlike `readAll`): the fence is for a reader that tails the log and must not skip
 * a late commit; inside one REPEATABLE READ snapshot the visible events are fixed, and a
 * transaction still running elsewhere must not hide events a follower has already folded.
 * For audits that compare a snapshot of the log with something derived from it.
 */
export async function readSnapshotAfter(
  db: LogQueryable,
  after: LogPosition,
  limit: number,
): Promise<RecordedEvent[]> {
  const { rows } = await db.query<EventRow>(
    `SELECT ${EVENT_COLUMNS} FROM es_events
      WHERE (log_epoch, transaction_id, global_position) > ($1::smallint, $2::xid8, $3::bigint)
      ORDER BY es_events.log_epoch, es_events.transaction_id, es_events.global_position
      LIMIT $4`,
    [...positionParams(after), limit],
  );
  return rows.map(toRecordedEvent);
}
