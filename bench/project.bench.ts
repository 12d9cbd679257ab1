import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { poolStreamId } from '@pool/domain';
import { createEventStorePool, PostgresEventStore } from '@pool/event-store';
import pg from 'pg';
import { Projector } from '../apps/projection/src/read-models/projector.js';
import {
  CHANGES_CHANNEL,
  truncateLogTables,
  type ChangeMessage,
} from '../apps/projection/src/read-models/read-model-store.js';
import { verifyReadModels } from '../apps/projection/src/read-models/verify-read-models.js';
import { runMigrations } from '../migrations/data-source.js';
import { freePort, waitFor as waitUntil } from './support/apps.js';
import { numberArg, type Bench, type BenchContext } from './support/bench.js';
import { createScratchDatabase } from './support/database.js';
import { LatencyRecorder, type LatencySummary } from './support/latency.js';
import { describeMachine, loadAverage, machineMarkdown } from './support/machine.js';
import { writePoolLogs, type PoolWriter } from './project-events.js';
import {
  benchmarksFile,
  formatDuration,
  formatNumber,
  markdownTable,
  repoRoot,
  writeSection,
} from './support/report.js';

/**
 * `npm run bench -- project`: the projection's read models.
 *
 * 1. Rebuild from zero: a log of 100,000 events (pools of hosts, networks, VMs, VIFs, ACL
 *    rules, mirrors and migrations, with churn) folded into empty tables by the projector.
 * 2. Steady: the built projection app follows while writers append commands as fast as they
 *    can, one append per command.
 * 3. Lag: commands appended at a fixed rate (1,000/s); lag is from the append's commit to the
 *    read-model batch holding it committing (its `rm_changes` notification arriving).
 */

const log = (message: string) => console.error(message);

interface Env {
  ctx: BenchContext;
  url: string;
  store: PostgresEventStore;
  writers: PoolWriter[];
  changes: pg.Client;
  /** Latest projected version per pool, from notifications. */
  projected: Map<string, number>;
  onChange: ((message: ChangeMessage & { type: 'change' }) => void) | undefined;
}

interface RebuildResult {
  events: number;
  rows: number;
  batches: number;
  seconds: number;
  writeSeconds: number;
  verified: boolean;
  load: string;
}

interface SteadyResult {
  events: number;
  commands: number;
  seconds: number;
  appendRate: number;
  load: string;
}

interface LagResult {
  rate: number;
  achieved: number;
  commands: number;
  events: number;
  lag: LatencySummary;
  load: string;
}

/** A rebuild of a large log takes minutes; the projection's progress is polled often. */
const waitFor = (check: () => Promise<boolean> | boolean, what: string, ms = 300_000) =>
  waitUntil(check, what, ms, 10);

/** 1. A rebuild from zero by the projector, in this process. */
async function rebuild(env: Env, batchSize: number, writeSeconds: number): Promise<RebuildResult> {
  const db = createEventStorePool({
    connectionString: env.url,
    max: 3,
    statementTimeoutMs: 300_000,
  });
  try {
    await truncateLogTables(db);
    let rows = 0;
    let batches = 0;
    const projector = new Projector({
      store: new PostgresEventStore(db, { notifyChannel: false }),
      db,
      batchSize,
      onBatch: (stats) => {
        rows += stats.rows;
        batches++;
      },
    });
    const load = loadAverage();
    const t0 = performance.now();
    const events = await projector.catchUp(env.ctx.signal);
    const seconds = (performance.now() - t0) / 1000;
    const verification = await verifyReadModels(db, { catchUpTimeoutMs: 0 });
    return { events, rows, batches, seconds, writeSeconds, verified: verification.equal, load };
  } finally {
    await db.end();
  }
}

/**
 * Decides one command for `writer` (churning until the decider accepts one) and appends it
 * without waiting for the pool's earlier appends: the store's group commit writes requests in
 * order, so each carries the version the ones before it will leave (as a pipelining master).
 */
async function appendCommand(env: Env, writer: PoolWriter, hosts: number) {
  while (writer.pending.length === 0) writer.churn(hosts);
  const events = writer.pending.flat();
  writer.pending = [];
  const expectedVersion = writer.version;
  writer.version += events.length;
  await env.store.append(
    poolStreamId(writer.poolId),
    events.map((e) => ({ type: e.type, schemaVersion: e.schemaVersion, data: e.data })),
    { expectedVersion },
  );
  return { events: events.length, version: expectedVersion + events.length };
}

/** Resolves when every pool's read models reached the version its writer appended. */
function allProjected(env: Env): Promise<void> {
  return waitFor(
    () => env.writers.every((w) => (env.projected.get(w.poolId) ?? 0) >= w.version),
    'the projection to catch up',
  );
}

/** 2. 64 clients append commands as fast as they can (one append each); the app follows. */
async function steady(env: Env, total: number, hosts: number): Promise<SteadyResult> {
  await allProjected(env);
  const load = loadAverage();
  let events = 0;
  let commands = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: 64 }, async (_, client) => {
      for (let i = client; events < total && !env.ctx.signal.aborted; i += 64) {
        const writer = env.writers[i % env.writers.length]!;
        const sent = await appendCommand(env, writer, hosts);
        events += sent.events; // not `events += await …`: that would add to a stale value
        commands++;
      }
    }),
  );
  const appended = performance.now();
  await allProjected(env);
  const seconds = (performance.now() - t0) / 1000;
  return { events, commands, seconds, appendRate: events / ((appended - t0) / 1000), load };
}

/** 3. Commands at a fixed rate, spread over the pools; lag per command from commit to read model. */
async function lagAtRate(
  env: Env,
  rate: number,
  seconds: number,
  hosts: number,
): Promise<LagResult> {
  await allProjected(env);
  const load = loadAverage();
  const recorder = new LatencyRecorder();
  /** Per pool: versions appended and not yet seen projected, with their commit time. */
  const waiting = new Map<string, { version: number; at: number }[]>();
  env.onChange = ({ pool, version }) => {
    const queue = waiting.get(pool);
    const now = performance.now();
    while (queue?.length && queue[0]!.version <= version) recorder.record(now - queue.shift()!.at);
  };
  const inFlight = new Set<Promise<void>>();
  let commands = 0;
  let events = 0;
  const t0 = performance.now();
  const duration = seconds * 1000;
  try {
    for (let i = 0; !env.ctx.signal.aborted; i++) {
      const due = t0 + (i * 1000) / rate;
      if (due - t0 >= duration) break;
      const wait = due - performance.now();
      if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
      const writer = env.writers[i % env.writers.length]!;
      const sent = appendCommand(env, writer, hosts).then((appended) => {
        events += appended.events;
        commands++;
        // The batch may have been notified before this promise resolved: no lag to speak of.
        if ((env.projected.get(writer.poolId) ?? 0) >= appended.version) return recorder.record(0);
        const queue = waiting.get(writer.poolId) ?? [];
        waiting.set(writer.poolId, queue);
        queue.push({ version: appended.version, at: performance.now() });
        queue.sort((a, b) => a.version - b.version);
      });
      inFlight.add(sent);
      const done = () => inFlight.delete(sent);
      sent.then(done, done);
    }
    await Promise.all(inFlight);
    const achieved = commands / ((performance.now() - t0) / 1000);
    await allProjected(env);
    return { rate, achieved, commands, events, lag: recorder.summary(), load };
  } finally {
    env.onChange = undefined;
  }
}

async function spawnProjection(
  env: Env,
  batch: number,
): Promise<{ child: ChildProcess; base: string }> {
  const suffix = randomBytes(4).toString('hex');
  const port = await freePort();
  const child = spawn(process.execPath, [join(repoRoot(), 'dist/apps/projection/src/main.js')], {
    env: {
      PATH: process.env.PATH ?? '',
      LOG_LEVEL: 'warn',
      DATABASE_URL: env.url,
      NATS_URL: process.env.NATS_URL ?? 'nats://127.0.0.1:4222',
      PORT: String(port),
      HOST: '127.0.0.1',
      SUBJECT_ROOT: `bench${suffix}`,
      EVENTS_STREAM: `BENCH_EVENTS_${suffix.toUpperCase()}`,
      REPORTS_STREAM: `BENCH_REPORTS_${suffix.toUpperCase()}`,
      PROJECTION_BATCH: String(batch),
      MIGRATION_COORDINATOR: 'false',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return { child, base: `http://127.0.0.1:${port}` };
}

async function run(ctx: BenchContext): Promise<void> {
  const total = numberArg(ctx.args, 'events');
  const pools = numberArg(ctx.args, 'pools');
  const hosts = numberArg(ctx.args, 'hosts');
  const vms = numberArg(ctx.args, 'vms');
  const batch = numberArg(ctx.args, 'batch');
  const steadyEvents = numberArg(ctx.args, 'steady');
  const rate = numberArg(ctx.args, 'rate');
  const seconds = numberArg(ctx.args, 'seconds');
  const began = performance.now();
  const load = { start: loadAverage(), end: '' };

  const database = await createScratchDatabase(ctx.databaseUrl);
  const pool = createEventStorePool({ connectionString: database.url, max: 8 });
  const changes = new pg.Client({ connectionString: database.url });
  let app: ChildProcess | undefined;
  try {
    await runMigrations(database.url);
    const env: Env = {
      ctx,
      url: database.url,
      store: new PostgresEventStore(pool),
      writers: [],
      changes,
      projected: new Map(),
      onChange: undefined,
    };
    await changes.connect();
    changes.on('notification', (n) => {
      const message = JSON.parse(n.payload ?? '{}') as ChangeMessage;
      if (message.type !== 'change') return;
      env.projected.set(
        message.pool,
        Math.max(env.projected.get(message.pool) ?? 0, message.version),
      );
      env.onChange?.(message);
    });
    await changes.query(`LISTEN ${CHANGES_CHANNEL}`);

    log(`writing ${formatNumber(total)} events over ${pools} pools`);
    const w0 = performance.now();
    env.writers = await writePoolLogs(env.store, { pools, total, hosts, vms });
    const writeSeconds = (performance.now() - w0) / 1000;
    const written = env.writers.reduce((n, w) => n + w.version, 0);
    log(`  ${formatNumber(written)} events in ${formatNumber(writeSeconds)} s`);

    log('rebuild from zero');
    const rebuilt = await rebuild(env, batch, writeSeconds);
    log(
      `  ${formatNumber(rebuilt.events / rebuilt.seconds)} events/s ` +
        `(${formatNumber(rebuilt.seconds)} s, ${formatNumber(rebuilt.rows)} rows, verify ${rebuilt.verified ? 'equal' : 'DIFFERENT'})`,
    );

    log('starting the projection app (it replays the log in memory first)');
    const a0 = performance.now();
    const spawned = await spawnProjection(env, batch);
    app = spawned.child;
    const base = spawned.base;
    await waitFor(
      () =>
        fetch(`${base}/health`).then(
          (r) => r.ok,
          () => false,
        ),
      'the projection app to be healthy',
    );
    // A first command proves the app projects: its replay is over.
    await appendCommand(env, env.writers[0]!, hosts);
    await allProjected(env);
    const startSeconds = (performance.now() - a0) / 1000;
    log(`  following after ${formatNumber(startSeconds)} s`);

    log(`steady: ${formatNumber(steadyEvents)} events appended as fast as possible`);
    const steadyResult = await steady(env, steadyEvents, hosts);
    log(
      `  ${formatNumber(steadyResult.events / steadyResult.seconds)} events/s projected ` +
        `(appends ${formatNumber(steadyResult.appendRate)} events/s)`,
    );

    log(`lag at ${rate} commands/s for ${seconds} s`);
    const lag = await lagAtRate(env, rate, seconds, hosts);
    log(
      `  achieved ${formatNumber(lag.achieved)} commands/s; lag p50 ${formatNumber(lag.lag.p50)} ms ` +
        `p99 ${formatNumber(lag.lag.p99)} ms max ${formatNumber(lag.lag.max)} ms`,
    );
    const final = await verifyReadModels(database.url, { catchUpTimeoutMs: 30_000 });
    load.end = loadAverage();
    if (ctx.signal.aborted) return;

    const machine = machineMarkdown(await describeMachine(pool, ctx.databaseUrl));
    const body = render({
      machine,
      command: ctx.command,
      runSeconds: (performance.now() - began) / 1000,
      load,
      options: { total, pools, hosts, vms, batch },
      rebuilt,
      startSeconds,
      steady: steadyResult,
      lag,
      finalEqual: final.equal,
    });
    await writeSection(benchmarksFile(), 'project', body);
    console.log(body);
  } finally {
    app?.kill('SIGTERM');
    await changes.end().catch(() => undefined);
    await pool.end();
    await database.drop();
  }
}

interface Report {
  machine: string;
  command: string;
  runSeconds: number;
  load: { start: string; end: string };
  options: { total: number; pools: number; hosts: number; vms: number; batch: number };
  rebuilt: RebuildResult;
  startSeconds: number;
  steady: SteadyResult;
  lag: LagResult;
  finalEqual: boolean;
}

function render(r: Report): string {
  const n = (v: number) => formatNumber(v);
  const count = (v: number) => formatNumber(v, 0);
  return [
    '## Projection (read models)',
    '',
    r.machine,
    `- Command: \`${r.command}\` (DATABASE_URL and NATS_URL at the servers above); run time ${formatDuration(r.runSeconds)}`,
    `- 1-minute load average: ${r.load.start} at the start, ${r.load.end} at the end (other work on the machine skews every figure)`,
    '',
    `A fresh database. The log: ${n(r.rebuilt.events)} events over ${r.options.pools} pools, each with ` +
      `${r.options.hosts} hosts (three NICs: management, VM, storage), 8 VLAN networks, a storage ` +
      `and a private network, ${r.options.vms} VMs to start with (one or two VIFs each, IPv4, some ` +
      'IPv6 and QoS), ACL rules and mirrors, then churn: VMs created, started, stopped, migrated ' +
      '(some aborted), renamed and destroyed, VIF addresses changed, rules added and deleted. ' +
      'Every event is decided by the real decider and appended through the event store ' +
      `(${n(r.rebuilt.writeSeconds)} s to write). The projector folds each pool with the pure ` +
      'domain, derives the row groups a batch touched and writes only changed rows, with its ' +
      `checkpoint, in one transaction per batch of at most ${n(r.options.batch)} events.`,
    '',
    '### Rebuild from zero',
    '',
    markdownTable(
      ['events', 'load avg', 'seconds', 'events/s', 'batches', 'rows written', 'verify'],
      [
        [
          count(r.rebuilt.events),
          r.rebuilt.load,
          n(r.rebuilt.seconds),
          n(r.rebuilt.events / r.rebuilt.seconds),
          count(r.rebuilt.batches),
          count(r.rebuilt.rows),
          r.rebuilt.verified ? 'equal' : 'DIFFERENT',
        ],
      ],
    ),
    '',
    'In the bench process: truncate, then `Projector.catchUp()` from the first event; `verify` ' +
      '(a replay of the whole log compared with every table) afterwards, not timed.',
    '',
    '### Steady and lag (the built app)',
    '',
    `The projection app (a process) starts on that database: it replays the log in memory up ` +
      `to its checkpoint and follows, ${n(r.startSeconds)} s after spawn. Commands are decided ` +
      'in the bench process and appended one append per command, pipelined (each carries the ' +
      'version the ones before it leave; the group commit keeps their order), spread evenly ' +
      'over the pools; `LISTEN rm_changes` in the bench sees each committed read-model batch.',
    '',
    markdownTable(
      ['measurement', 'load avg', 'commands', 'events', 'result'],
      [
        [
          'steady: 64 clients appending as fast as they can',
          r.steady.load,
          count(r.steady.commands),
          count(r.steady.events),
          `${n(r.steady.events / r.steady.seconds)} events/s into read models (appends ${n(r.steady.appendRate)} events/s)`,
        ],
        [
          `lag at ${n(r.lag.rate)} commands/s (achieved ${n(r.lag.achieved)}/s)`,
          r.lag.load,
          count(r.lag.commands),
          count(r.lag.events),
          `p50 ${n(r.lag.lag.p50)} ms, p99 ${n(r.lag.lag.p99)} ms, max ${n(r.lag.lag.max)} ms`,
        ],
      ],
      false,
    ),
    '',
    'Steady throughput is bounded by the appends (one transaction per command) as much as by ' +
      'the projector: both share the two cores with PostgreSQL. Lag is from the append ' +
      "returning (committed) to the notification of the read-model batch holding the command's " +
      `last event. After the run, \`verify\` said ${r.finalEqual ? 'equal' : 'DIFFERENT'}.`,
  ].join('\n');
}

export const projectBench: Bench = {
  name: 'project',
  description:
    'projection into read models: rebuild of 100,000 events, steady throughput, lag at 1,000 commands/s',
  options: {
    events: { type: 'string', default: '100000', description: 'events in the log to rebuild' },
    pools: { type: 'string', default: '10', description: 'pools the log is spread over' },
    hosts: { type: 'string', default: '20', description: 'hosts per pool' },
    vms: { type: 'string', default: '200', description: 'VMs per pool before the churn' },
    batch: { type: 'string', default: '2000', description: 'PROJECTION_BATCH (events per batch)' },
    steady: { type: 'string', default: '20000', description: 'events appended for the steady run' },
    rate: { type: 'string', default: '1000', description: 'commands per second for the lag run' },
    seconds: { type: 'string', default: '20', description: 'length of the lag run' },
  },
  run,
};
