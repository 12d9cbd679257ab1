import { randomUUID } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { subjects, type CommandReply } from '@pool/contracts';
import pg from 'pg';
import { emmettStore, ourStore, type OpenStore, type StoreDriver } from './append.bench.js';
import { numberArg, type Bench, type BenchContext } from './support/bench.js';
import { createScratchDatabase } from './support/database.js';
import { runWriters, type WritersResult } from './support/driver.js';
import { command, EmmettPoolWriter } from './support/emmett-pool-writer.js';
import { describeMachine, loadAverage, machineMarkdown } from './support/machine.js';
import { jsonClient } from './support/http-client.js';
import { cpuBetween, pidsNamed, sampleCpu } from './support/proc-cpu.js';
import { BENCH_SENDER, startPoolMaster } from './support/pool-master-process.js';
import {
  benchmarksFile,
  formatDuration,
  formatNumber,
  markdownTable,
  writeSection,
} from './support/report.js';

interface Row {
  label: string;
  clients: number;
  result: WritersResult;
  perSecond: number;
  /** CPU per operation of each part, µs, from /proc over the measured seconds. */
  cpu: Record<CpuPart, number | undefined>;
  /** The master's group commits over the measured seconds (from its /metrics). */
  groupCommit?: GroupCommits;
  /** Emmett pool writer: appends refused on the expected version, per command written. */
  conflictsPerCommand?: number;
}

interface GroupCommits {
  commandsEach: number;
  msEach: number;
  /** Share of the wall time the pool's writer spent deciding and appending. */
  writerBusy: number;
}

/** A master under test: its process (for CPU) and its HTTP base (for /metrics). */
interface MasterUnderTest {
  pid: number;
  base: string;
}

/** Sum over every label set of one Prometheus sample name. */
const metric = (text: string, name: string): number =>
  [...text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'gm'))].reduce(
    (sum, m) => sum + Number(m[1]),
    0,
  );

const metricsOf = async (master: MasterUnderTest) => (await fetch(`${master.base}/metrics`)).text();

function groupCommitsBetween(before: string, after: string, seconds: number): GroupCommits {
  const delta = (name: string) => metric(after, name) - metric(before, name);
  const batches = Math.max(1, delta('poolnet_group_commit_commands_count'));
  const busySeconds = delta('poolnet_group_commit_seconds_sum');
  return {
    commandsEach: delta('poolnet_group_commit_commands_sum') / batches,
    msEach: (1000 * busySeconds) / batches,
    writerBusy: busySeconds / seconds,
  };
}

type CpuPart = 'master' | 'clients' | 'nats' | 'postgres';

/** The processes each part runs as; the master is absent from the append-only rows. */
async function cpuGroups(masterPid?: number): Promise<Partial<Record<CpuPart, number[]>>> {
  return {
    ...(masterPid !== undefined ? { master: [masterPid] } : {}),
    clients: [process.pid],
    nats: await pidsNamed('nats-server'),
    postgres: await pidsNamed('postgres'),
  };
}

const ms = (v: number) => formatNumber(v, v >= 10 ? 1 : 2);

/** One command: a new VM (one event), as an operator's automation would send many. */
const vmCommand = (client: number, n: number) => ({
  vmId: `vm-${client}-${n}-${randomUUID().slice(0, 8)}`,
  name: `vm ${client}/${n}`,
});

async function measure(
  ctx: BenchContext,
  label: string,
  clients: number,
  op: (c: number) => Promise<void>,
  master?: MasterUnderTest,
): Promise<Row> {
  const seconds = numberArg(ctx.args, 'seconds');
  const warmup = numberArg(ctx.args, 'warmup');
  await runWriters({ writers: clients, seconds: warmup, op, signal: ctx.signal });
  const groups = await cpuGroups(master?.pid);
  const metricsBefore = master ? await metricsOf(master) : '';
  const before = await sampleCpu(groups);
  const result = await runWriters({
    writers: clients,
    seconds,
    op,
    signal: ctx.signal,
    maxErrors: 20,
  });
  const used = cpuBetween(groups, before, await sampleCpu(groups));
  const groupCommit = master
    ? groupCommitsBetween(metricsBefore, await metricsOf(master), result.elapsedSeconds)
    : undefined;
  if (result.errors > 0)
    console.error(`${label}: ${result.errors} errors, first: ${String(result.firstError)}`);
  const perOp = (part: CpuPart) =>
    used[part] === undefined ? undefined : (1e6 * used[part]) / Math.max(1, result.ops);
  const cpu = {
    master: perOp('master'),
    clients: perOp('clients'),
    nats: perOp('nats'),
    postgres: perOp('postgres'),
  };
  const perSecond = result.ops / result.elapsedSeconds;
  const row: Row = { label, clients, result, perSecond, cpu, groupCommit };
  const commits = groupCommit
    ? `; group commits of ${formatNumber(groupCommit.commandsEach, 1)} commands, ${ms(groupCommit.msEach)} ms each, writer busy ${formatNumber(100 * groupCommit.writerBusy, 0)} %`
    : '';
  console.log(
    `${label} ×${clients}: ${formatNumber(row.perSecond)} /s, p50 ${ms(result.latency.p50)} ms, p99 ${ms(result.latency.p99)} ms; CPU µs/op ${JSON.stringify(cpu, (_, v: unknown) => (typeof v === 'number' ? Math.round(v) : v))}${commits}`,
  );
  return row;
}

type PoolWriterMode = 'serial' | 'optimistic';

/** The pool's job on Emmett's store: one stream, version-checked appends, no group commit. */
async function emmettPoolRows(ctx: BenchContext, url: string): Promise<Row[]> {
  const cells: { mode: PoolWriterMode; clients: number }[] = [
    { mode: 'serial', clients: 1 },
    { mode: 'serial', clients: 64 },
    { mode: 'optimistic', clients: 64 },
  ];
  const rows: Row[] = [];
  for (const { mode, clients } of cells) {
    const writer = await EmmettPoolWriter.open(
      url,
      `emmett-${mode}-${clients}`,
      Math.min(clients, 16),
    );
    try {
      let n = 0;
      const row = await measure(ctx, `Emmett pool writer, ${mode}`, clients, (c) =>
        writer[mode](command('CreateVm', vmCommand(c, n++))),
      );
      rows.push({ ...row, conflictsPerCommand: writer.conflicts / Math.max(1, writer.appended) });
    } finally {
      await writer.close();
    }
  }
  return rows;
}

async function appendRows(
  ctx: BenchContext,
  url: string,
  driver: StoreDriver,
  label: string,
): Promise<Row[]> {
  const rows: Row[] = [];
  for (const writers of [1, 64]) {
    const store: OpenStore = await driver.open(url, Math.min(writers, 16));
    try {
      rows.push(
        await measure(ctx, label, writers, () =>
          store.append(Math.floor(Math.random() * 10_000), 1),
        ),
      );
    } finally {
      await store.close();
    }
  }
  return rows;
}

export const commandsBench: Bench = {
  name: 'commands',
  description:
    'commands/s and latency through the pool master (REST and NATS, 1 and 64 clients, one pool)',
  options: {
    seconds: { type: 'string', default: '5', description: 'measured seconds per cell' },
    warmup: { type: 'string', default: '1', description: 'warm-up seconds per cell' },
  },
  async run(ctx) {
    const started = Date.now();
    const natsUrl = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
    const loadBefore = loadAverage();
    const admin = new pg.Pool({ connectionString: ctx.databaseUrl, max: 1 });
    const machine = await describeMachine(admin, ctx.databaseUrl).finally(() => admin.end());
    const db = await createScratchDatabase(ctx.databaseUrl);
    let nc: NatsConnection | undefined;
    let http: ReturnType<typeof jsonClient> | undefined;
    let streams: string[] = [];
    let master: Awaited<ReturnType<typeof startPoolMaster>> | undefined;
    try {
      await ourStore.setup(db.url);
      await emmettStore.setup(db.url);
      master = await startPoolMaster(db.url, natsUrl);
      streams = [master.eventsStream, master.reportsStream];
      nc = await connect({ servers: natsUrl, noAsyncTraces: true });
      const pool = 'bench';
      const base = master.base;
      const created = await fetch(`${base}/pools`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ poolId: pool, name: 'Bench pool' }),
      });
      if (!created.ok) throw new Error(`CreatePool: ${created.status} ${await created.text()}`);

      let n = 0;
      http = jsonClient(base);
      const httpClient = http;
      const rest = async (client: number) => {
        const response = await httpClient.post(`/pools/${pool}/vms`, vmCommand(client, n++));
        if (response.status !== 201) throw new Error(`REST ${response.status}: ${response.body}`);
      };
      const conn = nc;
      const natsCommand = async (client: number) => {
        const msg = await conn.request(
          subjects(master!.root).command(pool, 'CreateVm', BENCH_SENDER),
          JSON.stringify({ data: vmCommand(client, n++) }),
          { timeout: 10_000 },
        );
        const reply = msg.json<CommandReply>();
        if (!reply.ok) throw new Error(`NATS ${reply.error.code}: ${reply.error.message}`);
      };

      const rows: Row[] = [];
      for (const clients of [1, 64]) {
        const under = { pid: master.child.pid!, base };
        rows.push(await measure(ctx, 'REST command (CreateVm)', clients, rest, under));
        rows.push(await measure(ctx, 'NATS command (CreateVm)', clients, natsCommand, under));
      }
      // The master stops first: its relay would otherwise publish the store's appends too.
      http.close();
      await master.stop();
      master = undefined;
      const appends = [
        ...(await appendRows(ctx, db.url, ourStore, 'append, our store (no master)')),
        ...(await appendRows(ctx, db.url, emmettStore, 'append, Emmett')),
        ...(await emmettPoolRows(ctx, db.url)),
      ];
      const loadAfter = loadAverage();
      const emmett64 = appends.find((r) => r.label === 'append, Emmett' && r.clients === 64)!;
      const emmettPool = appends
        .filter((r) => r.conflictsPerCommand !== undefined)
        .reduce((best, r) => (r.perSecond > best.perSecond ? r : best));
      const best64 = Math.max(...rows.filter((r) => r.clients === 64).map((r) => r.perSecond));
      const conflicts = appends
        .filter((r) => r.conflictsPerCommand)
        .map(
          (r) =>
            `${formatNumber(r.conflictsPerCommand!, 1)} per command written (${r.label}, ${r.clients} clients)`,
        );
      const table = markdownTable(
        [
          'path',
          'clients',
          'ops/s',
          'p50 ms',
          'p99 ms',
          'max ms',
          'errors',
          'CPU µs/op: master / clients / NATS / PG',
          'group commit: commands / ms / writer busy',
        ],
        [...rows, ...appends].map((r) => [
          r.label,
          String(r.clients),
          formatNumber(r.perSecond),
          ms(r.result.latency.p50),
          ms(r.result.latency.p99),
          ms(r.result.latency.max),
          String(r.result.errors),
          [r.cpu.master, r.cpu.clients, r.cpu.nats, r.cpu.postgres]
            .map((v) => (v === undefined ? '–' : formatNumber(v, 0)))
            .join(' / '),
          r.groupCommit
            ? `${formatNumber(r.groupCommit.commandsEach, 1)} / ${ms(r.groupCommit.msEach)} / ${formatNumber(100 * r.groupCommit.writerBusy, 0)} %`
            : '–',
        ]),
      );
      const body = [
        '## Commands through the pool master',
        '',
        machineMarkdown(machine),
        `- Command: \`${ctx.command}\`; run time ${formatDuration((Date.now() - started) / 1000)}`,
        `- 1-minute load average: ${loadBefore} at the start, ${loadAfter} at the end`,
        '',
        'One pool-master process (the built app, leader of the one pool, relay on) on a fresh',
        'database, and this bench process as the clients, all on the same 2 cores. Every command',
        'is a `CreateVm` on one pool (one event each), sent over REST (`POST /pools/bench/vms`,',
        'keep-alive, node:http) or NATS request-reply (`<root>.bench.cmd.admin.bench.CreateVm`); a client sends its next',
        'command when the previous one is answered. Latency is per command, client side. The',
        'append rows are the event store alone (single-event appends to random streams) in the',
        'same run and database, ours and Emmett, for scale. CPU µs/op is what each part used over',
        'the measured seconds (from `/proc`, every thread, user and system) per operation: the',
        'master, this process (the clients), nats-server and every PostgreSQL backend; their sum',
        'against the two cores says how much of the machine a cell used. The group-commit column',
        "is the master's own account (`/metrics`) over the same seconds: commands per group commit,",
        'the time the writer took for one (deciding and appending it), and the share of the time',
        'it was at that work.',
        '',
        "The Emmett pool-writer rows do the master's job on Emmett's store",
        '(`bench/support/emmett-pool-writer.ts`): the same decider and `CreateVm` commands, the',
        "pool's state in memory, the pool's log as one Emmett stream, each command appended on its",
        "own with the expected stream version (without it the pool's invariants do not hold; Emmett",
        "has no group commit). *serial* queues the clients' commands behind one append at a time;",
        '*optimistic* appends them all at once and decides and retries each one that lost its',
        'version. No transport sits in front of them, so they are an upper bound for a master on',
        "Emmett's store.",
        '',
        table,
        '',
        ...(conflicts.length ? [`Version conflicts: ${conflicts.join('; ')}.`, ''] : []),
        'Targets (issue 3, DESIGN §7):',
        '',
        `- ≥ 5,000 commands/s with 64 clients on one pool (aim 10,000): best path **${formatNumber(best64)}/s** — ${best64 >= 5000 ? 'met' : '**missed**'}`,
        `- ≥ 3× Emmett on the same database, doing the same job (one pool, its best pool-writer row): ${formatNumber(best64)} / ${formatNumber(emmettPool.perSecond)} = **${formatNumber(best64 / emmettPool.perSecond, 2)}×** — ${best64 >= 3 * emmettPool.perSecond ? 'met' : '**missed**'}`,
        `- For scale, against Emmett's appends to 10,000 streams with no version check and 64 writers (no contention at all, which one pool's log cannot have): ${formatNumber(best64)} / ${formatNumber(emmett64.perSecond)} = **${formatNumber(best64 / emmett64.perSecond, 2)}×**${best64 >= 3 * emmett64.perSecond ? '' : ' (under 3×)'}`,
      ].join('\n');
      await writeSection(benchmarksFile(), 'commands', body);
      console.log(body);
    } finally {
      http?.close();
      await nc?.close();
      await master?.stop();
      if (streams.length) {
        const c = await connect({ servers: natsUrl });
        const jsm = await jetstreamManager(c);
        for (const stream of streams) await jsm.streams.delete(stream).catch(() => undefined);
        await c.close();
      }
      await db.drop();
    }
  },
};
