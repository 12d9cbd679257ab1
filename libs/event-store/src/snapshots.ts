import { type Queryable } from './sql.js';

export interface Snapshot<State = unknown> {
  streamId: string;
  streamVersion: number;
  stateVersion: string;
  state: State;
}

/**
 * Snapshots are start points, never the truth: one written by other code (another
 * `stateVersion`) is ignored, and the log's tail is always replayed on top.
 */
export async function loadSnapshot<State>(
  db: Queryable,
  streamId: string,
  stateVersion: string,
): Promise<Snapshot<State> | undefined> {
  const { rows } = await db.query<SnapshotRow<State>>(
    `SELECT stream_version, state FROM es_snapshots WHERE stream_id = $1 AND state_version = $2`,
    [streamId, stateVersion],
  );
  return toSnapshot(streamId, stateVersion, rows[0]);
}

/** A snapshot as queries select it. */
export interface SnapshotRow<State> {
  stream_version: string;
  state: State;
}

export const toSnapshot = <State>(
  streamId: string,
  stateVersion: string,
  row: SnapshotRow<State> | undefined,
): Snapshot<State> | undefined =>
  row && { streamId, stateVersion, streamVersion: Number(row.stream_version), state: row.state };

/** Keeps the newest snapshot of a stream; an older one arriving late is dropped. */
export async function saveSnapshot(db: Queryable, snapshot: Snapshot): Promise<void> {
  await db.query(
    `INSERT INTO es_snapshots (stream_id, stream_version, state_version, state)
     VALUES ($1, $2, $3, $4::jsonb)
     ON CONFLICT (stream_id) DO UPDATE
       SET stream_version = excluded.stream_version, state_version = excluded.state_version,
           state = excluded.state, created_at = now()
     WHERE es_snapshots.stream_version < excluded.stream_version
        OR es_snapshots.state_version <> excluded.state_version`,
    [
      snapshot.streamId,
      snapshot.streamVersion,
      snapshot.stateVersion,
      JSON.stringify(snapshot.state),
    ],
  );
}
