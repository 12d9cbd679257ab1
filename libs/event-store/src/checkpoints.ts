import { positionParams, type Queryable } from './sql.js';
import { LOG_START, type LogPosition } from './types.js';

/** Where a consumer (the relay, a projector) is in the log. */
export async function loadCheckpoint(db: Queryable, consumer: string): Promise<LogPosition> {
  const { rows } = await db.query<{ e: number; t: string; p: string }>(
    `SELECT log_epoch AS e, transaction_id::text AS t, global_position::text AS p
       FROM es_checkpoints WHERE consumer = $1`,
    [consumer],
  );
  const row = rows[0];
  return row ? { epoch: row.e, transactionId: row.t, globalPosition: row.p } : LOG_START;
}

/**
 * Stores a checkpoint; pass the transaction's client to store it with the work it covers.
 * Never moves backwards, so a deposed consumer finishing a late batch cannot rewind it.
 */
export async function storeCheckpoint(
  db: Queryable,
  consumer: string,
  position: LogPosition,
): Promise<void> {
  await db.query(
    `INSERT INTO es_checkpoints (consumer, log_epoch, transaction_id, global_position)
     VALUES ($1, $2, $3::xid8, $4)
     ON CONFLICT (consumer) DO UPDATE
       SET log_epoch = excluded.log_epoch, transaction_id = excluded.transaction_id,
           global_position = excluded.global_position, updated_at = now()
     WHERE (es_checkpoints.log_epoch, es_checkpoints.transaction_id, es_checkpoints.global_position)
         < (excluded.log_epoch, excluded.transaction_id, excluded.global_position)`,
    [consumer, ...positionParams(position)],
  );
}

export async function resetCheckpoint(db: Queryable, consumer: string): Promise<void> {
  await db.query('DELETE FROM es_checkpoints WHERE consumer = $1', [consumer]);
}
