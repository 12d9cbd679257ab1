import { toSnapshot, type Snapshot, type SnapshotRow } from './snapshots.js';
import { type Queryable } from './sql.js';

/**
 * Snapshots kept for reading a stream at an old version (time travel), beside the one latest
 * snapshot `es_snapshots` keeps for loading writers. Retention: one per `HISTORY_SNAPSHOT_EVERY`
 * versions of a stream, at the multiples of it, kept as long as the log (written as the log
 * grows by `PoolStateFolder.catchUp`, which the master's HistoryKeeper runs after appends, and
 * by any read that folds past a multiple), so a version is never more than that many events
 * from its start point. Like every snapshot, one written by other
 * code (another `stateVersion`) is ignored and overwritten.
 */
export const HISTORY_SNAPSHOT_EVERY = 10_000;

/**
 * The newest start point at or below `version`: a history snapshot or the latest snapshot.
 * History snapshots are stored as JSON text (migration SnapshotHistoryAsText) and parsed here;
 * the latest snapshot is jsonb, parsed by the driver.
 */
export async function loadSnapshotAtOrBelow<State>(
  db: Queryable,
  streamId: string,
  stateVersion: string,
  version: number,
): Promise<Snapshot<State> | undefined> {
  const { rows } = await db.query<SnapshotRow<State> & { state_text: string | null }>(
    `SELECT stream_version, state, state_text FROM (
       (SELECT stream_version, NULL::jsonb AS state, state AS state_text FROM es_snapshot_history
         WHERE stream_id = $1 AND state_version = $2 AND stream_version <= $3
         ORDER BY stream_version DESC LIMIT 1)
       UNION ALL
       (SELECT stream_version, state, NULL::text AS state_text FROM es_snapshots
         WHERE stream_id = $1 AND state_version = $2 AND stream_version <= $3)
     ) AS start ORDER BY stream_version DESC LIMIT 1`,
    [streamId, stateVersion, version],
  );
  const row = rows[0];
  if (row?.state_text != null) row.state = JSON.parse(row.state_text) as State;
  return toSnapshot(streamId, stateVersion, row);
}

/** Keeps `snapshot` as a start point for its version; one of other code at that version is replaced. */
export async function saveHistorySnapshot(db: Queryable, snapshot: Snapshot): Promise<void> {
  await db.query(
    `INSERT INTO es_snapshot_history (stream_id, stream_version, state_version, state)
     VALUES ($1, $2, $3, $4)
     ON CONFLICT (stream_id, stream_version) DO UPDATE
       SET state_version = excluded.state_version, state = excluded.state, created_at = now()
     WHERE es_snapshot_history.state_version <> excluded.state_version`,
    [
      snapshot.streamId,
      snapshot.streamVersion,
      snapshot.stateVersion,
      JSON.stringify(snapshot.state),
    ],
  );
}

/**
 * The stream's version at `time`: the last event recorded (by a transaction that started) at
 * or before it, to the millisecond, the precision of the times the API shows, so an event's
 * own `createdAt` finds it; 0 when the stream had none yet. Walks the stream's events.
 */
export async function streamVersionAt(
  db: Queryable,
  streamId: string,
  time: Date,
): Promise<number> {
  const { rows } = await db.query<{ version: string | null }>(
    `SELECT max(stream_version) AS version FROM es_events WHERE stream_id = $1
       AND date_trunc('milliseconds', created_at) <= $2`,
    [streamId, time],
  );
  return Number(rows[0]?.version ?? 0);
}
