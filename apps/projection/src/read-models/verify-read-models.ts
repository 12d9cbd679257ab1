import {
  comparePositions,
  formatPosition,
  LOG_START,
  readLogHead,
  readSnapshotAfter,
  type RecordedEvent,
  pgConnection,
} from '@pool/event-store';
import pg from 'pg';
import { deriveAllRows, foldEvents } from './derive/fold-log.js';
import { loadReadModelCheckpoint } from './read-model-store.js';
import {
  LOG_TABLE_NAMES,
  LOG_TABLES,
  rowKey,
  type ColumnSpec,
  type TableSpec,
} from './read-model-tables.js';

export interface ReadModelDifference {
  /** The table (`rm_vifs`), or `rm_checkpoints` when the projection is behind the log. */
  table: string;
  /** The row's primary key values, joined with `/`. */
  key: string;
  problem: 'missing' | 'unexpected' | 'changed' | 'behind';
  expected?: Record<string, unknown>;
  actual?: Record<string, unknown>;
}

export interface ReadModelVerification {
  /** True when the tables hold exactly what a rebuild from the whole log would write. */
  equal: boolean;
  /** Events in the log (the replay), and how many of them the checkpoint has not reached. */
  events: number;
  behind: number;
  checkpoint: string;
  /** Row counts per table: derived from the log, and found. */
  tables: Record<string, { expected: number; actual: number }>;
  /** The first `maxDifferences` differences; `differenceCount` has them all. */
  differences: ReadModelDifference[];
  differenceCount: number;
}

export interface VerifyOptions {
  /** Wait up to this long for the projector to reach the end of the log first (default 15 s). */
  catchUpTimeoutMs?: number;
  maxDifferences?: number;
}

/**
 * Replays the whole log in memory, derives the rows a fresh rebuild would write and compares
 * them with the read-model tables, all inside one REPEATABLE READ snapshot so a running
 * projector cannot skew the comparison. Report-derived tables (host status, ports, counters)
 * are not compared: they do not come from the log.
 */
export async function verifyReadModels(
  db: string | pg.Pool,
  options: VerifyOptions = {},
): Promise<ReadModelVerification> {
  const pool = typeof db === 'string' ? new pg.Pool({ ...pgConnection(db), max: 2 }) : db;
  try {
    await waitForCatchUp(pool, options.catchUpTimeoutMs ?? 15_000);
    const client = await pool.connect();
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      return await compareInSnapshot(client, options.maxDifferences ?? 50);
    } finally {
      // Read only: ending it either way is the same.
      await client.query('ROLLBACK').catch(() => undefined);
      client.release();
    }
  } finally {
    if (typeof db === 'string') await pool.end();
  }
}

async function compareInSnapshot(
  client: pg.PoolClient,
  maxDifferences: number,
): Promise<ReadModelVerification> {
  const checkpoint = await loadReadModelCheckpoint(client);
  const events = await readWholeLog(client);
  const expected = deriveAllRows(foldEvents(events).values());
  const differences: ReadModelDifference[] = [];
  const behind = events.filter((e) => comparePositions(e.position, checkpoint.position) > 0);
  if (behind.length > 0) {
    differences.push({
      table: 'rm_checkpoints',
      key: formatPosition(checkpoint.position),
      problem: 'behind',
      expected: { position: formatPosition(behind[behind.length - 1]!.position) },
      actual: { position: formatPosition(checkpoint.position), eventsBehind: behind.length },
    });
  }
  const tables: ReadModelVerification['tables'] = {};
  for (const name of LOG_TABLE_NAMES) {
    const spec = LOG_TABLES[name];
    const want = keyed(spec, (expected[name] ?? []) as unknown as Record<string, unknown>[]);
    const { rows } = await client.query<Record<string, unknown>>(`SELECT * FROM ${spec.table}`);
    const have = keyed(
      spec,
      rows.map((row) => fromColumns(spec, row)),
    );
    tables[spec.table] = { expected: want.size, actual: have.size };
    for (const [key, row] of want) {
      const found = have.get(key);
      if (!found) differences.push({ table: spec.table, key, problem: 'missing', expected: row });
      else if (canonical(found) !== canonical(row)) {
        differences.push({
          table: spec.table,
          key,
          problem: 'changed',
          expected: row,
          actual: found,
        });
      }
    }
    for (const [key, row] of have) {
      if (!want.has(key))
        differences.push({ table: spec.table, key, problem: 'unexpected', actual: row });
    }
  }
  return {
    equal: differences.length === 0,
    events: events.length,
    behind: behind.length,
    checkpoint: formatPosition(checkpoint.position),
    tables,
    differences: differences.slice(0, maxDifferences),
    differenceCount: differences.length,
  };
}

/** Every event visible in the snapshot (the audit's REPEATABLE READ transaction), in commit order. */
async function readWholeLog(client: pg.PoolClient): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  for (;;) {
    const page = await readSnapshotAfter(client, events.at(-1)?.position ?? LOG_START, 10_000);
    if (page.length === 0) return events;
    for (const event of page) events.push(event);
  }
}

/** Polls until the stored checkpoint is at the last committed event, or the time is up. */
async function waitForCatchUp(pool: pg.Pool, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const head = await readLogHead(pool);
    if (!head) return;
    const stored = await loadReadModelCheckpoint(pool);
    if (comparePositions(stored.position, head) >= 0 || Date.now() >= deadline) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function keyed(
  spec: TableSpec,
  rows: Record<string, unknown>[],
): Map<string, Record<string, unknown>> {
  const map = new Map<string, Record<string, unknown>>();
  for (const row of rows) {
    const normal = normalizeRow(spec, row);
    map.set(rowKey(spec, normal).replaceAll('\u0000', '/'), normal);
  }
  return map;
}

const fromColumns = (spec: TableSpec, row: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(spec.columns.map((c) => [c.property, row[c.column]]));

/** Both sides in one form: numbers for int8 (pg returns strings), ISO instants, plain JSON. */
export function normalizeRow(
  spec: TableSpec,
  row: Record<string, unknown>,
): Record<string, unknown> {
  return Object.fromEntries(
    spec.columns.map((c) => [c.property, normalizeValue(c, row[c.property])]),
  );
}

function normalizeValue(column: ColumnSpec, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  switch (column.type) {
    case 'integer':
    case 'smallint':
    case 'bigint':
      return Number(value);
    case 'boolean':
      return Boolean(value);
    case 'timestamptz':
      return new Date(value as string | Date).toISOString();
    case 'jsonb':
      return JSON.parse(canonical(value)) as unknown;
    case 'text':
      return typeof value === 'string' ? value : JSON.stringify(value);
  }
}

/** JSON with object keys sorted, so jsonb's key order does not count as a difference. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}
