import { getPostgreSQLEventStore } from '@event-driven-io/emmett-postgresql';
import { createEventStorePool, PostgresEventStore } from '@pool/event-store';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { runMigrations } from '../migrations/data-source.js';
import { listArg, numberArg, type Bench, type BenchContext } from './support/bench.js';
import { createScratchDatabase } from './support/database.js';
import { runWriters, type WritersResult } from './support/driver.js';
import { describeMachine, loadAverage, machineMarkdown } from './support/machine.js';
import {
  benchmarksFile,
  formatDuration,
  formatNumber,
  markdownTable,
  writeSection,
} from './support/report.js';

/**
 * `npm run bench -- append`: raw `pg` inserts, Emmett's PostgreSQL event store and ours, side
 * by side on one fresh database, cell by cell (raw, Emmett, ours, then the next scenario) so
 * that machine noise hits the three alike.
 */

interface Scenario {
  id: string;
  label: string;
  writers: number;
  eventsPerAppend: number;
}

const SCENARIOS: Scenario[] = [
  { id: 'seq', label: '1 event/append, sequential', writers: 1, eventsPerAppend: 1 },
  { id: 'w4', label: '1 event/append, 4 writers', writers: 4, eventsPerAppend: 1 },
  { id: 'w16', label: '1 event/append, 16 writers', writers: 16, eventsPerAppend: 1 },
  { id: 'w64', label: '1 event/append, 64 writers', writers: 64, eventsPerAppend: 1 },
  { id: 'batch', label: '100 events/append, sequential', writers: 1, eventsPerAppend: 100 },
  { id: 'batch4', label: '100 events/append, 4 writers', writers: 4, eventsPerAppend: 100 },
];

export type StoreId = 'raw' | 'emmett' | 'ours';
const STORE_IDS: StoreId[] = ['raw', 'emmett', 'ours'];
const STORE_LABELS: Record<StoreId, string> = { raw: 'raw pg', emmett: 'Emmett', ours: 'ours' };

/** One store opened for one cell, on its own pool. */
export interface OpenStore {
  append(stream: number, events: number): Promise<void>;
  close(): Promise<void>;
}

export interface StoreDriver {
  id: StoreId;
  /** Creates what the store needs in the scratch database (before any cell). */
  setup(url: string): Promise<void>;
  open(url: string, poolMax: number): Promise<OpenStore>;
  /** The log's global position sequence and table, to check what a cell wrote. */
  sequence: string;
  table: string;
  /** Whether rows carry the writing transaction's id (to count commits). */
  hasTransactionId: boolean;
}

// dumbo (Emmett's driver layer) replaces pg's global parsers for int8 and json(b) with BigInt and
// a reviving JSON.parse the first time an Emmett store is created. Emmett keeps them (it is its
// normal environment); raw pg and ours get pg's own parsers, as they would in production.
type TextParser = (value: string) => unknown;
const PG_DEFAULT_PARSERS = new Map<number, TextParser>(
  [20, 114, 3802].map((oid) => [oid, pg.types.getTypeParser(oid, 'text') as TextParser]),
);
const pgDefaultTypes: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary'): TextParser =>
    (format !== 'binary' && PG_DEFAULT_PARSERS.get(oid)) ||
    (pg.types.getTypeParser(oid, format) as TextParser)) as pg.CustomTypesConfig['getTypeParser'],
};

const NOTE = 'plugged by the benchmark; '.repeat(7);
/** ~300 B of JSON, like the anchors' measurements. */
const eventData = (seq: number) => ({
  poolId: 'pool-bench',
  hostId: 'host-0007',
  vifId: `vif-${seq}`,
  mac: '02:00:0a:01:02:03',
  ipv4: '10.1.2.3/24',
  network: 'net-blue',
  vlan: 42,
  mtu: 1500,
  note: NOTE,
});
let sequence = 0;
const newEvents = (count: number) =>
  Array.from({ length: count }, () => ({ type: 'VifPlugged', data: eventData(sequence++) }));

function onPoolError(error: Error): void {
  console.error(`pool error: ${error.message}`);
}

const rawStore: StoreDriver = {
  id: 'raw',
  sequence: 'bench_raw_events_global_position_seq',
  table: 'bench_raw_events',
  hasTransactionId: false,
  async setup(url) {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(`CREATE TABLE bench_raw_events (
      global_position bigserial PRIMARY KEY,
      stream_id  text  NOT NULL,
      event_type text  NOT NULL,
      data       jsonb NOT NULL)`);
    await client.end();
  },
  open(url, poolMax) {
    const pool = new pg.Pool({ connectionString: url, max: poolMax, types: pgDefaultTypes });
    pool.on('error', onPoolError);
    const inserts = new Map<number, string>();
    const insertSql = (n: number) => {
      let sql = inserts.get(n);
      if (sql === undefined) {
        const rows = Array.from({ length: n }, (_, i) => `($1, $2, $${i + 3})`);
        sql = `INSERT INTO bench_raw_events (stream_id, event_type, data) VALUES ${rows.join(',')}`;
        inserts.set(n, sql);
      }
      return sql;
    };
    return Promise.resolve({
      async append(stream, count) {
        const events = newEvents(count);
        const client = await pool.connect();
        try {
          await client.query('BEGIN');
          await client.query(insertSql(count), [
            `raw-${stream}`,
            'VifPlugged',
            ...events.map((e) => e.data),
          ]);
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK').catch(() => undefined);
          throw error;
        } finally {
          client.release();
        }
      },
      close: () => pool.end(),
    });
  },
};

export const emmettStore: StoreDriver = {
  id: 'emmett',
  sequence: 'emt_global_message_position',
  table: 'emt_messages',
  hasTransactionId: true,
  async setup(url) {
    const pool = new pg.Pool({ connectionString: url, max: 2 });
    try {
      await getPostgreSQLEventStore(url, { connectionOptions: { pool } }).schema.migrate();
    } finally {
      await pool.end();
    }
  },
  open(url, poolMax) {
    const { store, close } = openEmmett(url, poolMax);
    return Promise.resolve({
      async append(stream, count) {
        await store.appendToStream(`bench-${stream}`, newEvents(count));
      },
      close,
    });
  },
};

/** Emmett's store on a pool of its own, over the schema `emmettStore.setup` migrated. */
export function openEmmett(url: string, poolMax: number) {
  const pool = new pg.Pool({ connectionString: url, max: poolMax });
  pool.on('error', onPoolError);
  // The schema exists (setup); skip Emmett's per-instance "ensure schema" migration run.
  const store = getPostgreSQLEventStore(url, {
    schema: { autoMigration: 'None' },
    connectionOptions: { pool },
  });
  const close = async () => {
    await store.close();
    await pool.end();
  };
  return { store, close };
}

export const ourStore: StoreDriver = {
  id: 'ours',
  sequence: 'es_global_position',
  table: 'es_events',
  hasTransactionId: true,
  async setup(url) {
    await runMigrations(url);
  },
  open(url, poolMax) {
    const pool = createEventStorePool({
      connectionString: url,
      max: poolMax,
      applicationName: 'poolnet-bench',
    });
    pool.options.types = pgDefaultTypes;
    pool.on('error', onPoolError);
    const store = new PostgresEventStore(pool);
    return Promise.resolve({
      async append(stream, count) {
        await store.append(`pool:bench-${stream}`, newEvents(count));
      },
      close: () => pool.end(),
    });
  },
};

const DRIVERS: Record<StoreId, StoreDriver> = {
  raw: rawStore,
  emmett: emmettStore,
  ours: ourStore,
};

interface Cell {
  scenario: Scenario;
  store: StoreId;
  poolMax: number;
  result: WritersResult;
  eventsPerSecond: number;
  /** Rows the cell's measured phase left in the log, and the transactions that wrote them. */
  rowsWritten: number;
  commits: number;
  clientCpuMicrosPerEvent: number;
}

async function measureCell(
  ctx: BenchContext,
  admin: pg.Pool,
  url: string,
  scenario: Scenario,
  driver: StoreDriver,
  settings: { seconds: number; warmup: number; streams: number; poolCap: number },
): Promise<Cell> {
  const poolMax = Math.min(scenario.writers, settings.poolCap);
  const store = await driver.open(url, poolMax);
  const op = () =>
    store.append(Math.floor(Math.random() * settings.streams), scenario.eventsPerAppend);
  try {
    // A checkpoint before each cell keeps timed checkpoints out of the measured seconds.
    await admin.query('CHECKPOINT').catch(() => undefined);
    if (settings.warmup > 0) {
      const warm = await runWriters({
        writers: scenario.writers,
        seconds: settings.warmup,
        op,
        signal: ctx.signal,
      });
      // Emmett fails some concurrent first appends to one stream; only a store that cannot
      // append at all stops the run.
      if (warm.ops === 0 && warm.errors > 0) {
        throw new Error(`warm-up failed: ${errorMessage(warm.firstError)}`);
      }
    }
    const marker = await sequencePosition(admin, driver.sequence);
    const cpu = process.cpuUsage();
    const result = await runWriters({
      writers: scenario.writers,
      seconds: settings.seconds,
      op,
      signal: ctx.signal,
    });
    const cpuUsed = process.cpuUsage(cpu);
    const events = result.ops * scenario.eventsPerAppend;
    const { rows } = await admin.query<{ rows: string; commits: string | null }>(
      `SELECT count(*) AS rows, ${driver.hasTransactionId ? 'count(DISTINCT transaction_id)' : 'NULL'} AS commits
         FROM ${driver.table} WHERE global_position > $1`,
      [marker],
    );
    const rowsWritten = Number(rows[0]!.rows);
    return {
      scenario,
      store: driver.id,
      poolMax,
      result,
      eventsPerSecond: events / result.elapsedSeconds,
      rowsWritten,
      commits: rows[0]!.commits === null ? result.ops : Number(rows[0]!.commits),
      clientCpuMicrosPerEvent: events === 0 ? NaN : (cpuUsed.user + cpuUsed.system) / events,
    };
  } finally {
    await store.close();
  }
}

async function sequencePosition(db: pg.Pool, sequenceName: string): Promise<string> {
  const { rows } = await db.query<{ position: string }>(
    `SELECT CASE WHEN is_called THEN last_value ELSE 0 END::text AS position FROM ${sequenceName}`,
  );
  return rows[0]!.position;
}

const ms = (value: number) => formatNumber(value, value >= 10 ? 1 : 2);

function errorMessage(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(/`/g, "'").slice(0, 160);
}

function describeCell(cell: Cell): string {
  const { result } = cell;
  const errors =
    result.errors > 0 ? `, ${result.errors} errors: ${errorMessage(result.firstError)}` : '';
  return (
    `[${cell.scenario.id}] ${STORE_LABELS[cell.store].padEnd(6)} ` +
    `${formatNumber(cell.eventsPerSecond).padStart(7)} events/s  ` +
    `p50 ${ms(result.latency.p50)} ms  p99 ${ms(result.latency.p99)} ms  ` +
    `max ${ms(result.latency.max)} ms  events/commit ${formatNumber(cell.rowsWritten / cell.commits)}  ` +
    `node CPU ${formatNumber(cell.clientCpuMicrosPerEvent)} µs/event${errors}`
  );
}

function renderSection(
  cells: Cell[],
  stores: StoreId[],
  machine: string,
  command: string,
  settings: { seconds: number; warmup: number; streams: number; poolCap: number },
  runSeconds: number,
  load: { start: string; end: string },
): string {
  const cell = (scenario: Scenario, store: StoreId) =>
    cells.find((c) => c.scenario === scenario && c.store === store);
  const scenarios = SCENARIOS.filter((s) => cells.some((c) => c.scenario === s));

  const rows = scenarios.map((s) => {
    const row = [s.label, String(Math.min(s.writers, settings.poolCap))];
    for (const store of stores) {
      const c = cell(s, store);
      if (!c) {
        row.push('–', '–');
        continue;
      }
      const n = c.result.errors;
      const flag = n > 0 ? ` (${n} failed)` : '';
      const lost =
        c.rowsWritten !== c.result.ops * s.eventsPerAppend ? ' (row count mismatch!)' : '';
      row.push(`${formatNumber(c.eventsPerSecond)}${flag}${lost}`);
      row.push(`${ms(c.result.latency.p50)} / ${ms(c.result.latency.p99)}`);
    }
    const ours = cell(s, 'ours');
    const emmett = cell(s, 'emmett');
    row.push(
      ours && emmett ? `${formatNumber(ours.eventsPerSecond / emmett.eventsPerSecond)}×` : '–',
    );
    return row;
  });
  const headers = ['scenario', 'pool max'];
  for (const store of stores) {
    headers.push(`${STORE_LABELS[store]} events/s`, `${STORE_LABELS[store]} p50 / p99 ms`);
  }
  headers.push('ours / Emmett');

  const diagnostics = scenarios.map((s) => {
    const row = [s.label];
    for (const store of stores) {
      const c = cell(s, store);
      row.push(c ? formatNumber(c.rowsWritten / c.commits) : '–');
      row.push(c ? formatNumber(c.clientCpuMicrosPerEvent) : '–');
      row.push(c ? ms(c.result.latency.max) : '–');
    }
    return row;
  });
  const diagnosticHeaders = ['scenario'];
  for (const store of stores) {
    const l = STORE_LABELS[store];
    diagnosticHeaders.push(`${l} events/commit`, `${l} Node µs/event`, `${l} max ms`);
  }

  const targets: string[] = [];
  const ratio = (id: string) => {
    const s = SCENARIOS.find((x) => x.id === id)!;
    const ours = cell(s, 'ours');
    const emmett = cell(s, 'emmett');
    return ours && emmett ? ours.eventsPerSecond / emmett.eventsPerSecond : undefined;
  };
  const seq = ratio('seq');
  const w64 = ratio('w64');
  if (seq !== undefined) {
    targets.push(
      `- Sequential single-event appends, ours ≥ Emmett: ours/Emmett = **${formatNumber(seq)}×** — ${seq >= 1 ? 'met' : '**missed**'}`,
    );
  }
  if (w64 !== undefined) {
    targets.push(
      `- 64 concurrent writers, ours ≥ 3× Emmett: ours/Emmett = **${formatNumber(w64)}×** — ${w64 >= 3 ? 'met' : '**missed**'}`,
    );
  }

  const failures = cells
    .filter((c) => c.result.errors > 0)
    .map(
      (c) =>
        `- ${c.scenario.label}, ${STORE_LABELS[c.store]}: ${c.result.errors} failed, first: ` +
        `\`${errorMessage(c.result.firstError)}\``,
    );

  return [
    '## Append',
    '',
    machine,
    `- Command: \`${command.trim()}\` (DATABASE_URL pointed at the server above); run time ${formatDuration(runSeconds)}`,
    `- 1-minute load average: ${load.start} at the start, ${load.end} at the end (other work on the machine skews every cell)`,
    '',
    `One run, one fresh database (\`poolnet_bench_<random>\`, dropped afterwards) holding all three`,
    `stores. Each cell: ${settings.warmup} s warm-up, then ${settings.seconds} s measured; the stores`,
    'take turns per scenario (raw pg, Emmett, ours, then the next scenario), each on its own pool',
    `of \`min(writers, ${settings.poolCap})\` connections, after a \`CHECKPOINT\`. Every append goes`,
    `to a random stream of ${formatNumber(settings.streams, 0)}, with no expected-version check`,
    '(Emmett: no `expectedStreamVersion`; ours: `any`), events of ~300 B of JSON. Latency is',
    'per append, from the call to its resolution (pool waits and group-commit queueing included).',
    '',
    markdownTable(headers, rows),
    '',
    ...(targets.length > 0 ? ['Targets (issue 2):', '', ...targets, ''] : []),
    ...(failures.length > 0
      ? [
          'Failed appends (not counted in events/s). Emmett reports two concurrent first appends',
          'to the same new stream as a version conflict even with no expected version:',
          '',
          ...failures,
          '',
        ]
      : []),
    'For scale: on an idle machine of this kind, raw single-event transactions run at 2.0–2.4k/s',
    'sequentially (DESIGN.md §7, eventsourcing-anchors §3.2); a lower raw pg figure above means',
    'the machine was busy during the run.',
    '',
    '<details><summary>Diagnostics: events per commit, client CPU, worst latency</summary>',
    '',
    markdownTable(diagnosticHeaders, diagnostics),
    '',
    'Events per commit counts the distinct `transaction_id`s of the rows a cell wrote (raw pg has',
    'no such column: one transaction per append by construction). Node µs/event is the bench',
    "process's CPU time (user + system) over the measured seconds, divided by events.",
    '',
    '</details>',
    '',
    'What each store does per append:',
    '',
    '- **raw pg**: the floor. A table `bench_raw_events(global_position bigserial PK, stream_id,',
    '  event_type, data jsonb)`, `BEGIN`, one `INSERT` (one multi-row `VALUES` for a batch),',
    '  `COMMIT`: three round trips, no stream row, no version check, no event id.',
    '- **Emmett** (`@event-driven-io/emmett-postgresql` 0.42): `appendToStream` on its own',
    '  `pg.Pool`: `BEGIN`, `SELECT emt_append_to_stream(...)` (PL/pgSQL: update or insert the',
    '  stream row, insert the messages), `COMMIT`, at READ COMMITTED.',
    '- **ours** (`libs/event-store`): `store.append`, i.e. one `SELECT es_append($1::jsonb)` in an',
    '  implicit REPEATABLE READ transaction (one round trip); concurrent appends are group-committed',
    '  into one statement, one transaction in flight at a time (the store default).',
  ].join('\n');
}

export const appendBench: Bench = {
  name: 'append',
  description: 'single-event and batched appends: raw pg, Emmett and ours on one database',
  options: {
    seconds: { type: 'string', default: '5', description: 'measured seconds per cell' },
    warmup: { type: 'string', default: '1', description: 'warm-up seconds per cell' },
    streams: { type: 'string', default: '10000', description: 'streams appended to at random' },
    'pool-max': {
      type: 'string',
      default: '16',
      description: 'cap on each store pool (a cell uses min(writers, cap))',
    },
    stores: { type: 'string', default: STORE_IDS.join(','), description: 'stores to measure' },
    scenarios: {
      type: 'string',
      default: SCENARIOS.map((s) => s.id).join(','),
      description: 'scenarios to run',
    },
    'no-write': { type: 'boolean', default: false, description: 'do not write BENCHMARKS.md' },
  },

  async run(ctx) {
    const started = performance.now();
    const loadAtStart = loadAverage();
    const settings = {
      seconds: numberArg(ctx.args, 'seconds'),
      warmup: numberArg(ctx.args, 'warmup'),
      streams: Math.max(1, Math.floor(numberArg(ctx.args, 'streams'))),
      poolCap: Math.max(1, Math.floor(numberArg(ctx.args, 'pool-max'))),
    };
    const stores = listArg(ctx.args, 'stores').map((id) => {
      if (!STORE_IDS.includes(id as StoreId)) throw new Error(`unknown store "${id}"`);
      return id as StoreId;
    });
    const scenarioIds = listArg(ctx.args, 'scenarios');
    const scenarios = SCENARIOS.filter((s) => scenarioIds.includes(s.id));
    const unknown = scenarioIds.filter((id) => !SCENARIOS.some((s) => s.id === id));
    if (unknown.length > 0) throw new Error(`unknown scenario(s): ${unknown.join(', ')}`);

    const db = await createScratchDatabase(ctx.databaseUrl);
    console.error(`bench append: database ${db.name}`);
    const admin = new pg.Pool({ connectionString: db.url, max: 2, types: pgDefaultTypes });
    admin.on('error', onPoolError);
    const cells: Cell[] = [];
    try {
      const machine = machineMarkdown(await describeMachine(admin, ctx.databaseUrl));
      for (const id of stores) await DRIVERS[id].setup(db.url);

      for (const scenario of scenarios) {
        for (const id of stores) {
          if (ctx.signal.aborted) break;
          const cell = await measureCell(ctx, admin, db.url, scenario, DRIVERS[id], settings);
          cells.push(cell);
          console.error(describeCell(cell));
        }
      }
      if (ctx.signal.aborted) {
        console.error('aborted: BENCHMARKS.md left as it was');
        return;
      }

      const runSeconds = (performance.now() - started) / 1000;
      const load = { start: loadAtStart, end: loadAverage() };
      const section = renderSection(
        cells,
        stores,
        machine,
        ctx.command,
        settings,
        runSeconds,
        load,
      );
      console.log(section);
      if (ctx.args['no-write'] !== true) {
        const file = benchmarksFile();
        await writeSection(file, 'append', section);
        console.error(`wrote the append section of ${file}`);
      }
    } finally {
      await admin.end();
      await db.drop();
    }
  },
};
