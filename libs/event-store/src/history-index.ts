import { type Queryable } from './sql.js';

/**
 * The object index of a stream's history (issue 22): one row per object an event named, with
 * the event's type, actor and time and the object's running count of events (`ordinal`), so a
 * diff finds who changed an object between two versions with two index probes per changed
 * object instead of reading every event in between. Kept up as the log grows (see
 * `PoolStateFolder.catchUp`); `es_history_index` says how far each stream is indexed.
 */

/** One object named by one event. */
export interface ObjectTouch {
  objectKey: string;
  streamVersion: number;
  /** The object's events so far in the stream, this one included. */
  ordinal: number;
  eventType: string;
  actor: string | null;
  recordedAt: string;
}

/** How far `streamId` is indexed: every event at or below it is; 0 when none is. */
export async function indexedVersion(db: Queryable, streamId: string): Promise<number> {
  const { rows } = await db.query<{ indexed_version: string }>(
    `SELECT indexed_version FROM es_history_index WHERE stream_id = $1`,
    [streamId],
  );
  return Number(rows[0]?.indexed_version ?? 0);
}

/** Each key's latest ordinal at or below `version` (absent: no event named it yet). */
export async function ordinalsAt(
  db: Queryable,
  streamId: string,
  keys: string[],
  version: number,
): Promise<Map<string, number>> {
  const { rows } = await db.query<{ object_key: string; ordinal: string }>(
    `SELECT k.key AS object_key, t.ordinal FROM unnest($2::text[]) AS k(key)
     CROSS JOIN LATERAL (
       SELECT ordinal FROM es_object_touches
        WHERE stream_id = $1 AND object_key = k.key AND stream_version <= $3
        ORDER BY stream_version DESC LIMIT 1
     ) AS t`,
    [streamId, keys, version],
  );
  return new Map(rows.map((r) => [r.object_key, Number(r.ordinal)]));
}

/**
 * Records `touches` and moves the stream's mark to `upTo`, in one transaction's worth of
 * statements: a touch written twice (two indexers racing) is the same row, kept once, and the
 * mark only moves forward.
 */
export async function recordTouches(
  db: Queryable,
  streamId: string,
  touches: ObjectTouch[],
  upTo: number,
): Promise<void> {
  await db.query(
    `WITH touched AS (
       INSERT INTO es_object_touches
         (stream_id, object_key, stream_version, ordinal, event_type, actor, recorded_at)
       SELECT $1, * FROM unnest($2::text[], $3::bigint[], $4::bigint[], $5::text[], $6::text[],
                                $7::timestamptz[])
       ON CONFLICT DO NOTHING
     )
     INSERT INTO es_history_index (stream_id, indexed_version) VALUES ($1, $8)
     ON CONFLICT (stream_id) DO UPDATE
       SET indexed_version = excluded.indexed_version, updated_at = now()
     WHERE es_history_index.indexed_version < excluded.indexed_version`,
    [
      streamId,
      touches.map((t) => t.objectKey),
      touches.map((t) => t.streamVersion),
      touches.map((t) => t.ordinal),
      touches.map((t) => t.eventType),
      touches.map((t) => t.actor),
      touches.map((t) => t.recordedAt),
      upTo,
    ],
  );
}

/** What the index says of one object between two versions. */
export interface ObjectHistory {
  /** Events in (low, high] that named it. */
  count: number;
  /** The latest of them, at most `limit`, oldest first. */
  latest: ObjectTouch[];
}

/**
 * The events in (`low`, `high`] that named each of `keys`: how many, and the latest `limit`.
 * Index probes only: per key the latest `limit` rows up to `high`; the count is the newest
 * one's ordinal less the ordinal at `low`, looked up only for keys whose list is full (fewer
 * rows than `limit` are all of them). The index must cover `high` (see `indexedVersion`).
 */
export async function objectHistories(
  db: Queryable,
  streamId: string,
  keys: string[],
  low: number,
  high: number,
  limit: number,
): Promise<Map<string, ObjectHistory>> {
  const { rows } = await db.query<TouchRow>(
    `SELECT k.key AS object_key, t.stream_version, t.ordinal, t.event_type, t.actor,
            ${ISO_MILLISECONDS('t.recorded_at')} AS recorded_at
       FROM unnest($2::text[]) AS k(key)
       CROSS JOIN LATERAL (
         SELECT stream_version, ordinal, event_type, actor, recorded_at FROM es_object_touches
          WHERE stream_id = $1 AND object_key = k.key AND stream_version > $3
            AND stream_version <= $4
          ORDER BY stream_version DESC LIMIT $5
       ) AS t`,
    [streamId, keys, low, high, limit],
  );
  const histories = new Map<string, ObjectHistory>();
  for (const row of rows) {
    const touch = toTouch(row);
    const history = histories.get(row.object_key);
    if (history)
      history.latest.unshift(touch); // newest first from the query
    else histories.set(row.object_key, { count: touch.ordinal, latest: [touch] });
  }
  const full = [...histories].filter(([, h]) => h.latest.length === limit).map(([key]) => key);
  const before = low > 0 && full.length > 0 ? await ordinalsAt(db, streamId, full, low) : null;
  for (const [key, history] of histories) {
    history.count =
      history.latest.length < limit
        ? history.latest.length
        : history.count - (before?.get(key) ?? 0);
  }
  return histories;
}

/**
 * A timestamp as `Date.toISOString` writes it (UTC, milliseconds truncated), formatted by
 * PostgreSQL: a diff across a whole log reads hundreds of thousands of these, and parsing each
 * into a Date to print it again was a third of the diff's time in Node (issue 22).
 */
const ISO_MILLISECONDS = (column: string): string =>
  `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

interface TouchRow {
  object_key: string;
  stream_version: string;
  ordinal: string;
  event_type: string;
  actor: string | null;
  recorded_at: string;
}

const toTouch = (row: TouchRow): ObjectTouch => ({
  objectKey: row.object_key,
  streamVersion: Number(row.stream_version),
  ordinal: Number(row.ordinal),
  eventType: row.event_type,
  actor: row.actor,
  recordedAt: row.recorded_at,
});

/** The streams whose ids start with `prefix` and whose index is behind their head. */
export async function streamsBehindIndex(db: Queryable, prefix: string): Promise<string[]> {
  const { rows } = await db.query<{ stream_id: string }>(
    `SELECT s.stream_id FROM es_streams s
       LEFT JOIN es_history_index h USING (stream_id)
      WHERE starts_with(s.stream_id, $1) AND s.version > coalesce(h.indexed_version, 0)
      ORDER BY s.stream_id`,
    [prefix],
  );
  return rows.map((r) => r.stream_id);
}
