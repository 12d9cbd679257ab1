import type pg from 'pg';
import { type LogPosition, type RecordedEvent } from './types.js';

/** Anything that runs a query: the pool, or a client inside a transaction. */
export type Queryable = Pick<pg.Pool, 'query'> | Pick<pg.PoolClient, 'query'>;

export const EVENT_COLUMNS = `log_epoch, transaction_id::text AS transaction_id,
  global_position::text AS global_position, stream_id, stream_version::int AS stream_version,
  event_id::text AS event_id, event_type, schema_version, data, metadata, created_at`;

// ORDER BY must name the table's columns: the select list casts them to text under the same
// names, and '10000' sorts before '9999'.
/**
 * Commit order without losing late commits: every xid below the snapshot's xmin belongs to a
 * finished transaction, so whatever becomes visible later sorts after the checkpoint. One
 * statement, hence one snapshot (marten#4977 lost events across three).
 */
export const READ_ALL_SQL = `SELECT ${EVENT_COLUMNS} FROM es_events
  WHERE (log_epoch, transaction_id, global_position) > ($1::smallint, $2::xid8, $3::bigint)
    AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())
  ORDER BY es_events.log_epoch, es_events.transaction_id, es_events.global_position
  LIMIT $4`;

/**
 * A stream's versions are dense from 1, so `limit` events from `$2` end below `$2 + $3`:
 * the upper bound lets the primary key's range hold exactly the rows wanted, whatever the
 * planner's statistics say. ORDER BY names the table's column: the bare name would be the
 * select list's `::int` cast, which no index is ordered by, and PostgreSQL sorted every event
 * from `$2` to the head of the stream to keep `limit` of them (issue 22: 160 ms at 100,000
 * events for a page of 5,000 from the middle, 17 ms ordered by the index).
 */
export const READ_STREAM_SQL = `SELECT ${EVENT_COLUMNS} FROM es_events
  WHERE stream_id = $1
    AND stream_version >= $2 AND stream_version < greatest($2::bigint, 1) + $3::bigint
  ORDER BY es_events.stream_version
  LIMIT $3`;

export interface EventRow {
  log_epoch: number;
  transaction_id: string;
  global_position: string;
  stream_id: string;
  stream_version: number;
  event_id: string;
  event_type: string;
  schema_version: number;
  data: unknown;
  metadata: Record<string, unknown>;
  created_at: Date;
}

export const toRecordedEvent = (row: EventRow): RecordedEvent => ({
  eventId: row.event_id,
  streamId: row.stream_id,
  streamVersion: row.stream_version,
  type: row.event_type,
  schemaVersion: row.schema_version,
  data: row.data,
  metadata: row.metadata,
  position: {
    epoch: row.log_epoch,
    transactionId: row.transaction_id,
    globalPosition: row.global_position,
  },
  createdAt: row.created_at.toISOString(),
});

export const positionParams = (p: LogPosition): [number, string, string] => [
  p.epoch,
  p.transactionId,
  p.globalPosition,
];
