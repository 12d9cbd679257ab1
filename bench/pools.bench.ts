import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import pg from 'pg';
import { runMigrations } from '../migrations/data-source.js';
import { sleep, waitFor } from './support/apps.js';
import { numberArg, type Bench } from './support/bench.js';
import { createScratchDatabase } from './support/database.js';
import { inParallel } from './support/fleet.js';
import { jsonClient } from './support/http-client.js';
import { LatencyRecorder, type LatencySummary } from './support/latency.js';
import { describeMachine, loadAverage, machineMarkdown } from './support/machine.js';
import {
  benchNamespace,
  startPoolMaster,
  type PoolMasterProcess,
  type ReplicaOf,
} from './support/pool-master-process.js';
import { procStatusKb } from './support/proc-status.js';
import {
  benchmarksFile,
  formatDuration,
  formatNumber,
  markdownTable,
  writeSection,
} from './support/report.js';

/** One pool-master replica of the bench, with a keep-alive client to its REST API. */
interface Replica {
  id: string;
  master: PoolMasterProcess;
  http: ReturnType<typeof jsonClient>;
  /** RSS once healthy, before it led any pool, kB. */
  idleRssKb: number;
}

interface Memory {
  id: string;
  led: number;
  idleMb: number;
  rssMb: number;
  peakMb: number;
}

interface Handover {
  victim: string;
  pools: number;
  /** SIGKILL → every pool of the victim led by a survivor (seen in pg_locks). */
  ledMs: number;
  /** SIGKILL → a command to each of them, sent through a survivor, acknowledged. */
  acknowledgedMs: number;
  firstAcknowledgedMs: number;
  retries: number;
  spreadAfter: Map<string, number>;
}

/** A replica started after the pools were created and led by the others. */
interface Join {
  replica: string;
  /** Spawn → healthy. */
  healthyMs: number;
  /** Spawn → the leader spread at max/mean ≤ BALANCED (pg_locks, polled every 100 ms). */
  balancedMs: number;
  spreadAfter: Map<string, number>;
  /** Commands sent meanwhile (spawn → balanced), each to a random pool through a random replica. */
  latency: LatencySummary;
  failed: number;
}

/** The spread counted as balanced. */
const BALANCED = 1.1;

const STATUS_OK = new Set([200, 201]);

/**
 * The advisory lock a replica holds for each pool it leads (apps/pool-master's PoolLeadership),
 * read from outside: which session holds it, named `poolnet-master:<replica>`.
 */
const LEADERS_SQL = `
  WITH k AS (
    SELECT id, hashtextextended('poolnet:pool-leader:' || id, 0) AS key FROM unnest($1::text[]) AS id
  )
  SELECT k.id, substring(a.application_name FROM 'poolnet-master:(.*)') AS replica
    FROM k
    JOIN pg_locks l ON l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
     AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
     AND l.classid::bigint = ((k.key >> 32) & 4294967295)
     AND l.objid::bigint = (k.key & 4294967295)
    JOIN pg_stat_activity a ON a.pid = l.pid`;

async function leadersOf(db: pg.Pool, pools: string[]): Promise<Map<string, string>> {
  const { rows } = await db.query<{ id: string; replica: string }>(LEADERS_SQL, [pools]);
  return new Map(rows.map((r) => [r.id, r.replica]));
}

function spreadOf(leaders: Map<string, string>, replicas: string[]): Map<string, number> {
  const counts = new Map(replicas.map((id) => [id, 0]));
  for (const replica of leaders.values()) counts.set(replica, (counts.get(replica) ?? 0) + 1);
  return counts;
}

/** Largest share led over the fair share: 1.00 is perfectly balanced. */
function maxOverMean(counts: Map<string, number>): number {
  const values = [...counts.values()];
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return Math.max(...values) / mean;
}

const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)]!;

let renames = 0;
/** One command to a pool through one replica (REST), acknowledged or thrown. */
async function rename(replica: Replica, pool: string): Promise<void> {
  const response = await replica.http.request('PATCH', `/pools/${pool}`, {
    name: `renamed ${renames++}`,
  });
  if (!STATUS_OK.has(response.status)) {
    throw new Error(`RenamePool ${pool} via ${replica.id}: ${response.status} ${response.body}`);
  }
}

/** Spawns them all at once (`r<first>`, …); if one fails to start, the ones that did are stopped. */
async function startReplicas(
  databaseUrl: string,
  natsUrl: string,
  namespace: Omit<ReplicaOf, 'replicaId'>,
  count: number,
  first = 0,
): Promise<Replica[]> {
  const settled = await Promise.allSettled(
    Array.from({ length: count }, async (_, i): Promise<Replica> => {
      const id = `r${first + i}`;
      const master = await startPoolMaster(databaseUrl, natsUrl, { ...namespace, replicaId: id });
      return {
        id,
        master,
        http: jsonClient(master.base),
        idleRssKb: await procStatusKb(master.child.pid!, 'VmRSS'),
      };
    }),
  );
  const started = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failed = settled.find((s) => s.status === 'rejected');
  if (failed) {
    await stopReplicas(started);
    throw failed.reason;
  }
  return started;
}

async function stopReplicas(replicas: Replica[]): Promise<void> {
  await Promise.all(
    replicas.map(async (r) => {
      r.http.close();
      if (r.master.child.exitCode === null && r.master.child.signalCode === null) {
        await r.master.stop();
      }
    }),
  );
}

async function memoryOf(replicas: Replica[], spread: Map<string, number>): Promise<Memory[]> {
  return Promise.all(
    replicas.map(async (r) => ({
      id: r.id,
      led: spread.get(r.id) ?? 0,
      idleMb: r.idleRssKb / 1024,
      rssMb: (await procStatusKb(r.master.child.pid!, 'VmRSS')) / 1024,
      peakMb: (await procStatusKb(r.master.child.pid!, 'VmHWM')) / 1024,
    })),
  );
}

/** A command to `pool` through a replica that does not lead it: the entry forwards it over NATS. */
async function forwardedLatency(
  replicas: Replica[],
  leaders: Map<string, string>,
  sample: string[],
): Promise<{ forwarded: LatencySummary; direct: LatencySummary }> {
  const forwarded = new LatencyRecorder();
  const direct = new LatencyRecorder();
  for (const pool of sample) {
    const leader = replicas.find((r) => r.id === leaders.get(pool));
    if (!leader) throw new Error(`pool ${pool} has no leader`);
    const other = pick(replicas.filter((r) => r !== leader));
    let t = performance.now();
    await rename(other, pool);
    forwarded.record(performance.now() - t);
    t = performance.now();
    await rename(leader, pool);
    direct.record(performance.now() - t);
  }
  return { forwarded: forwarded.summary(), direct: direct.summary() };
}

/**
 * Starts one more replica while commands keep going to random pools through random replicas
 * (the new one too, once healthy), and waits until the replicas share the leadership:
 * the time from its spawn until max/mean ≤ BALANCED, and every command's latency meanwhile.
 */
async function join(
  replicas: Replica[],
  start: () => Promise<Replica>,
  db: pg.Pool,
  pools: string[],
  concurrency: number,
): Promise<Join> {
  const latency = new LatencyRecorder();
  let failed = 0;
  let loading = true;
  const entries = [...replicas];
  const load = Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (loading) {
        const t = performance.now();
        try {
          await rename(pick(entries), pick(pools));
          latency.record(performance.now() - t);
        } catch {
          failed++;
        }
      }
    }),
  );
  const spawnedAt = performance.now();
  let joined: Replica;
  try {
    joined = await start();
  } catch (error) {
    loading = false;
    await load;
    throw error;
  }
  const healthyMs = performance.now() - spawnedAt;
  entries.push(joined);
  replicas.push(joined);
  const ids = replicas.map((r) => r.id);
  let balancedMs = NaN;
  let spreadAfter = new Map<string, number>();
  try {
    await waitFor(
      async () => {
        const leaders = await leadersOf(db, pools);
        spreadAfter = spreadOf(leaders, ids);
        const done = leaders.size === pools.length && maxOverMean(spreadAfter) <= BALANCED;
        if (done) balancedMs = performance.now() - spawnedAt;
        return done;
      },
      `the leader spread to reach max/mean ${BALANCED}`,
      120_000,
      100,
    );
  } finally {
    loading = false;
    await load;
  }
  return {
    replica: joined.id,
    healthyMs,
    balancedMs,
    spreadAfter,
    latency: latency.summary(),
    failed,
  };
}

/**
 * SIGKILLs the replica leading the most pools, then sends a command to each of its pools
 * through a random survivor (retrying until acknowledged, as a client does): a pool without a
 * leader is won by the replica its next command reaches.
 */
async function handover(
  replicas: Replica[],
  db: pg.Pool,
  pools: string[],
  concurrency: number,
): Promise<Handover> {
  const leaders = await leadersOf(db, pools);
  const spread = spreadOf(
    leaders,
    replicas.map((r) => r.id),
  );
  const victim = replicas.reduce((a, b) =>
    (spread.get(b.id) ?? 0) > (spread.get(a.id) ?? 0) ? b : a,
  );
  const survivors = replicas.filter((r) => r !== victim);
  const orphans = pools.filter((p) => leaders.get(p) === victim.id);
  const exited = new Promise((resolve) => victim.master.child.once('exit', resolve));
  victim.master.child.kill('SIGKILL');
  const killedAt = performance.now();
  await exited;

  let ledMs = NaN;
  const watchLeaders = waitFor(
    async () => {
      const now = await leadersOf(db, orphans);
      const done = orphans.every((p) => survivors.some((s) => s.id === now.get(p)));
      if (done) ledMs = performance.now() - killedAt;
      return done;
    },
    'every pool of the killed replica to be led by a survivor',
    60_000,
    50,
  );
  let firstAcknowledgedMs = NaN;
  let retries = 0;
  await inParallel(orphans, concurrency, async (pool) => {
    const giveUpAt = performance.now() + 60_000;
    for (;;) {
      try {
        await rename(pick(survivors), pool);
        if (Number.isNaN(firstAcknowledgedMs)) firstAcknowledgedMs = performance.now() - killedAt;
        return;
      } catch (error) {
        if (performance.now() > giveUpAt) throw error;
        retries++;
        await sleep(100);
      }
    }
  });
  const acknowledgedMs = performance.now() - killedAt;
  await watchLeaders;
  return {
    victim: victim.id,
    pools: orphans.length,
    ledMs,
    acknowledgedMs,
    firstAcknowledgedMs,
    retries,
    spreadAfter: spreadOf(
      await leadersOf(db, pools),
      survivors.map((s) => s.id),
    ),
  };
}

const ms = (value: number) => formatNumber(value, value >= 10 ? 0 : 1);
const mb = (value: number) => formatNumber(value, 1);
const spreadText = (counts: Map<string, number>) =>
  `${[...counts].map(([id, n]) => `${id} ${n}`).join(', ')} (max/mean ${formatNumber(maxOverMean(counts), 2)})`;

export const poolsBench: Bench = {
  name: 'pools',
  description:
    'many pools over several pool-master replicas: a replica joining (time to a balanced spread), start-up, memory per pool, leader spread, forwarding, handover after a SIGKILL',
  options: {
    pools: { type: 'string', default: '1000', description: 'pools to create' },
    replicas: { type: 'string', default: '3', description: 'pool-master replicas' },
    concurrency: { type: 'string', default: '16', description: 'commands in flight' },
    sample: {
      type: 'string',
      default: '200',
      description: 'pools sent a forwarded and a direct command each',
    },
  },
  async run(ctx) {
    const started = Date.now();
    const poolCount = numberArg(ctx.args, 'pools');
    const replicaCount = numberArg(ctx.args, 'replicas');
    const concurrency = numberArg(ctx.args, 'concurrency');
    const sampleSize = Math.min(poolCount, numberArg(ctx.args, 'sample'));
    if (replicaCount < 2) throw new Error('--replicas must be at least 2 (one is killed)');
    const natsUrl = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
    const log = (line: string) => console.error(`[pools] ${line}`);
    const loadBefore = loadAverage();
    const admin = new pg.Pool({ connectionString: ctx.databaseUrl, max: 1 });
    const machine = await describeMachine(admin, ctx.databaseUrl).finally(() => admin.end());
    const scratch = await createScratchDatabase(ctx.databaseUrl);
    const db = new pg.Pool({ connectionString: scratch.url, max: 2 });
    const namespace = benchNamespace();
    const pools = Array.from({ length: poolCount }, (_, i) => `p${String(i).padStart(5, '0')}`);
    let replicas: Replica[] = [];
    try {
      await runMigrations(scratch.url);

      log(`creating ${poolCount} pools through ${replicaCount - 1} fresh replicas`);
      replicas = await startReplicas(scratch.url, natsUrl, namespace, replicaCount - 1);
      let t = performance.now();
      await inParallel(pools, concurrency, async (pool) => {
        const response = await pick(replicas).http.post('/pools', { poolId: pool, name: pool });
        if (response.status !== 201) throw new Error(`CreatePool ${pool}: ${response.body}`);
      });
      const createSeconds = (performance.now() - t) / 1000;
      if (ctx.signal.aborted) return;

      // A replica started later is given its share of the pools, under load.
      log(`starting replica ${replicaCount} of ${replicaCount} under load`);
      const joining = await join(
        replicas,
        async () => (await startReplicas(scratch.url, natsUrl, namespace, 1, replicaCount - 1))[0]!,
        db,
        pools,
        concurrency,
      );
      log(
        `balanced ${ms(joining.balancedMs)} ms after the spawn: ${spreadText(joining.spreadAfter)}`,
      );
      await stopReplicas(replicas);
      if (ctx.signal.aborted) return;

      // Start-up: the replicas start on a log that holds every pool; a pool is led once its
      // first command after the start reaches a replica, which loads the pool and wins its lock.
      log('restarting the replicas; one command to every pool');
      t = performance.now();
      replicas = await startReplicas(scratch.url, natsUrl, namespace, replicaCount);
      const healthyMs = performance.now() - t;
      await inParallel(pools, concurrency, (pool) => rename(pick(replicas), pool));
      await waitFor(
        async () => (await leadersOf(db, pools)).size === poolCount,
        'every pool to have a leader',
      );
      const allLedMs = performance.now() - t;
      const leaders = await leadersOf(db, pools);
      const spread = spreadOf(
        leaders,
        replicas.map((r) => r.id),
      );
      const memory = await memoryOf(replicas, spread);
      log(`all ${poolCount} pools led after ${ms(allLedMs)} ms: ${spreadText(spread)}`);

      log(`forwarded and direct commands to ${sampleSize} pools`);
      const sample = [...pools].sort(() => Math.random() - 0.5).slice(0, sampleSize);
      const latency = await forwardedLatency(replicas, leaders, sample);

      log('SIGKILL of the replica leading the most pools');
      const after = await handover(replicas, db, pools, concurrency);
      log(`handed over ${after.pools} pools: led in ${ms(after.ledMs)} ms`);
      const loadAfter = loadAverage();

      const grown = memory.reduce((sum, m) => sum + (m.rssMb - m.idleMb), 0);
      const perPoolKb = (1024 * grown) / poolCount;
      const body = [
        '## Pools: many pools over pool-master replicas',
        '',
        machineMarkdown(machine),
        `- Command: \`${ctx.command}\`; run time ${formatDuration((Date.now() - started) / 1000)}`,
        `- 1-minute load average: ${loadBefore} at the start, ${loadAfter} at the end`,
        '',
        `${replicaCount} pool-master processes (the built app) on one fresh database and one`,
        `NATS server, sharing a subject root and streams; this bench sends every command over REST`,
        'to a replica picked at random (as a load balancer would). A pool is led by the replica',
        'holding its advisory lock (read here from `pg_locks`); a pool nobody leads is won by the',
        'replica its next command reaches (or one with more room), the others forward its',
        'commands to it over NATS, and a replica leading more than ceil(pools led / replicas)',
        'hands the excess over to those under their share. The pools are created through all',
        'replicas but one; the last is then started while commands keep going to random pools',
        'through random replicas, and the bench measures the time from its spawn until the spread',
        `is at max/mean ≤ ${BALANCED} (and the commands' latency meanwhile). Then the replicas are`,
        'stopped and started again on that log, and the start-up is the time from their spawn',
        "until every pool is led, each pool's first command (a `RenamePool`) electing its leader.",
        '',
        markdownTable(
          ['measure', 'value'],
          [
            [`${formatNumber(poolCount, 0)} × CreatePool`, `${formatNumber(createSeconds, 1)} s`],
            [
              `${joining.replica} started later: spawn → healthy / → spread max/mean ≤ ${BALANCED}`,
              `${ms(joining.healthyMs)} / ${ms(joining.balancedMs)} ms`,
            ],
            ['leader spread once balanced', spreadText(joining.spreadAfter)],
            [
              `commands meanwhile (${formatNumber(joining.latency.count, 0)}, ${concurrency} in flight) p50 / p99 / max`,
              `${ms(joining.latency.p50)} / ${ms(joining.latency.p99)} / ${ms(joining.latency.max)} ms (${joining.failed} failed)`,
            ],
            ['start-up: replicas healthy', `${ms(healthyMs)} ms`],
            ['start-up: every pool led', `${ms(allLedMs)} ms`],
            ['leader spread (pools led per replica)', spreadText(spread)],
            ['memory per pool led (RSS growth over all replicas / pools)', `${mb(perPoolKb)} kB`],
            [
              `forwarded command (${sampleSize}, one at a time) p50 / p99 / max`,
              `${ms(latency.forwarded.p50)} / ${ms(latency.forwarded.p99)} / ${ms(latency.forwarded.max)} ms`,
            ],
            [
              'same pools, through their leader, p50 / p99 / max',
              `${ms(latency.direct.p50)} / ${ms(latency.direct.p99)} / ${ms(latency.direct.max)} ms`,
            ],
            [
              `SIGKILL of ${after.victim} (${after.pools} pools) → all led by survivors`,
              `${ms(after.ledMs)} ms`,
            ],
            [
              'SIGKILL → a command to each acknowledged (first / all)',
              `${ms(after.firstAcknowledgedMs)} / ${ms(after.acknowledgedMs)} ms (${after.retries} retries)`,
            ],
            ['leader spread over the survivors', spreadText(after.spreadAfter)],
          ],
          false,
        ),
        '',
        markdownTable(
          ['replica', 'pools led', 'RSS idle MB', 'RSS MB', 'peak RSS MB'],
          memory.map((m) => [m.id, String(m.led), mb(m.idleMb), mb(m.rssMb), mb(m.peakMb)]),
        ),
      ].join('\n');
      await writeSection(benchmarksFile(), 'pools', body);
      console.log(body);
    } finally {
      await stopReplicas(replicas);
      await db.end();
      const c = await connect({ servers: natsUrl });
      const jsm = await jetstreamManager(c);
      for (const stream of [namespace.eventsStream, namespace.reportsStream]) {
        await jsm.streams.delete(stream).catch(() => undefined);
      }
      await c.close();
      await scratch.drop();
    }
  },
};
