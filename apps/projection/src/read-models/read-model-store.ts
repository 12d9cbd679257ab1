import { LOG_START, type LogPosition, type Queryable } from '@pool/event-store';
import type { ChangeEventView, HostEventView } from '@pool/contracts';
import { type ChangeSet } from './row-diff.js';
import {
  LOG_TABLE_NAMES,
  LOG_TABLES,
  type ChangeKind,
  type TableSpec,
} from './read-model-tables.js';

/** The checkpoint row of the log-derived read models. */
export const READ_MODELS_PROJECTION = 'read-models';

/** NOTIFY channel: a committed batch or host report, for every replica's SSE stream. */
export const CHANGES_CHANNEL = 'rm_changes';

/** What the pool's stream sends: its `event:` type and its data (the read API's contract). */
export type ChangeMessage =
  | ({ type: 'change' } & ChangeEventView & { kinds: ChangeKind[] })
  | ({ type: 'host' } & HostEventView);

export interface StoredCheckpoint {
  position: LogPosition;
  events: number;
}

const quote = (name: string) => `"${name}"`;
const recordset = (spec: TableSpec, param: number, columns = spec.columns) =>
  `jsonb_to_recordset($${param}::jsonb) AS r(${columns.map((c) => `${quote(c.property)} ${c.type}`).join(', ')})`;

function upsertSql(spec: TableSpec, param: number): string {
  const names = spec.columns.map((c) => c.column).join(', ');
  const values = spec.columns.map((c) => `r.${quote(c.property)}`).join(', ');
  const keys = spec.primary.map((c) => c.column).join(', ');
  const rest = spec.columns.filter((c) => !c.primary);
  const update =
    rest.length === 0
      ? 'DO NOTHING'
      : `DO UPDATE SET ${rest.map((c) => `${c.column} = excluded.${c.column}`).join(', ')}`;
  return `INSERT INTO ${spec.table} (${names}) SELECT ${values} FROM ${recordset(spec, param)}
    ON CONFLICT (${keys}) ${update}`;
}

function deleteSql(spec: TableSpec, param: number): string {
  const match = spec.primary.map((c) => `t.${c.column} = r.${quote(c.property)}`).join(' AND ');
  return `DELETE FROM ${spec.table} t USING ${recordset(spec, param, spec.primary)} WHERE ${match}`;
}

const CHECKPOINT_INSERT = `INSERT INTO rm_checkpoints
    (projection, log_epoch, transaction_id, global_position, events, updated_at)
  VALUES ($1, $2, $3, $4, $5, now()) ON CONFLICT (projection) DO NOTHING RETURNING 1`;

const CHECKPOINT_UPDATE = `UPDATE rm_checkpoints
    SET log_epoch = $2, transaction_id = $3, global_position = $4, events = $5, updated_at = now()
  WHERE projection = $1 AND log_epoch = $6 AND transaction_id = $7 AND global_position = $8
  RETURNING 1`;

/**
 * Writes one batch in ONE statement (its own transaction, one round trip): the row deletes and
 * upserts, one per table and direction, the checkpoint moved from `from` to `to`, and the
 * change messages (NOTIFY, delivered on commit). The checkpoint is a compare-and-set: if it is
 * not at `from` any more (a rebuild reset it, another projector wrote), the statement divides
 * by zero, nothing commits, and this throws CheckpointMovedError. No row is both deleted and
 * upserted in a batch (the diff gives each key one change), as one statement requires.
 */
export async function commitBatch(
  db: Queryable,
  changes: ChangeSet,
  from: StoredCheckpoint,
  to: StoredCheckpoint,
  messages: ChangeMessage[],
  projection = READ_MODELS_PROJECTION,
): Promise<void> {
  const first = from.events === 0 && from.position.globalPosition === '0';
  const { epoch, transactionId, globalPosition } = from.position;
  const params: unknown[] = [
    projection,
    to.position.epoch,
    to.position.transactionId,
    to.position.globalPosition,
    to.events,
    ...(first ? [] : [epoch, transactionId, globalPosition]),
  ];
  const steps = [`cas AS (${first ? CHECKPOINT_INSERT : CHECKPOINT_UPDATE})`];
  for (const [kind, rows, sql] of [
    ['d', changes.deletes, deleteSql],
    ['u', changes.upserts, upsertSql],
  ] as const) {
    for (const table of LOG_TABLE_NAMES) {
      const list = rows.get(table);
      if (!list?.length) continue;
      params.push(JSON.stringify(list));
      steps.push(`${kind}_${table} AS (${sql(LOG_TABLES[table], params.length)})`);
    }
  }
  params.push(
    CHANGES_CHANNEL,
    messages.map((m) => JSON.stringify(m)),
  );
  const channel = params.length - 1;
  try {
    await db.query(
      `WITH ${steps.join(',\n')}
       SELECT 1 / (SELECT count(*) FROM cas)::int AS moved,
              (SELECT count(pg_notify($${channel}, m)) FROM unnest($${channel + 1}::text[]) AS m)
                AS notified`,
      params,
    );
  } catch (error) {
    if ((error as { code?: string }).code !== '22012') throw error;
    throw new CheckpointMovedError(
      `the ${projection} checkpoint moved under this projector (rebuild or a second writer)`,
    );
  }
}

export async function loadReadModelCheckpoint(
  db: Queryable,
  projection = READ_MODELS_PROJECTION,
): Promise<StoredCheckpoint> {
  const { rows } = await db.query<{ e: number; t: string; p: string; n: string }>(
    `SELECT log_epoch AS e, transaction_id::text AS t, global_position::text AS p,
            events::text AS n
       FROM rm_checkpoints WHERE projection = $1`,
    [projection],
  );
  const row = rows[0];
  if (!row) return { position: LOG_START, events: 0 };
  return {
    position: { epoch: row.e, transactionId: row.t, globalPosition: row.p },
    events: Number(row.n),
  };
}

export class CheckpointMovedError extends Error {
  override readonly name = 'CheckpointMovedError';
}

/** Queues the messages in the caller's transaction: NOTIFY is delivered only on commit. */
export async function notifyChanges(db: Queryable, messages: ChangeMessage[]): Promise<void> {
  if (messages.length === 0) return;
  await db.query(`SELECT pg_notify($1, m) FROM unnest($2::text[]) AS m`, [
    CHANGES_CHANNEL,
    messages.map((m) => JSON.stringify(m)),
  ]);
}

/** Empties every log-derived table and the checkpoint; host reports stay. */
export async function truncateLogTables(
  db: Queryable,
  projection = READ_MODELS_PROJECTION,
): Promise<void> {
  const tables = LOG_TABLE_NAMES.map((t) => LOG_TABLES[t].table).join(', ');
  await db.query(`TRUNCATE ${tables}`);
  await db.query('DELETE FROM rm_checkpoints WHERE projection = $1', [projection]);
}
