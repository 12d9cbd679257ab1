import { performance } from 'node:perf_hooks';
import { poolStreamId } from '@pool/domain';
import {
  createEventStorePool,
  HISTORY_SNAPSHOT_EVERY,
  PostgresEventStore,
} from '@pool/event-store';
import { PoolHistory } from '../apps/pool-master/src/history/pool-history.js';
import { runMigrations } from '../migrations/data-source.js';
import { numberArg, type Bench } from './support/bench.js';
import { createScratchDatabase } from './support/database.js';
import { LatencyRecorder, type LatencySummary } from './support/latency.js';
import { describeMachine, loadAverage, machineMarkdown } from './support/machine.js';
import { random, writePoolLogs } from './project-events.js';
import {
  benchmarksFile,
  formatDuration,
  formatNumber,
  markdownTable,
  writeSection,
} from './support/report.js';

/**
 * `npm run bench -- history`: the pool at any version (issue 22) on one pool of 1,000,000
 * events (the projection bench's realistic mix: hosts, VLAN networks, VMs with VIFs, rules,
 * mirrors, then churn), read through the master's own `PoolHistory`:
 *
 * 1. The log written as the master would see it grow: after each append of ~1,000 commands
 *    the history catches up (`PoolHistory.catchUp`, what the master's HistoryKeeper runs
 *    after appends): the object index rows and a history snapshot every
 *    HISTORY_SNAPSHOT_EVERY versions. Each catch-up is timed.
 * 2. The first read of the head, then the state at random versions and at random times
 *    (target ≤ 1 s each).
 * 3. A diff across the whole log (0 → head) and between random versions (target ≤ 1 s); the
 *    events behind each change come from the object index, not a scan of the range.
 */

const log = (message: string) => console.error(message);
const TARGET_MS = 1000;

type Row = [what: string, summary: LatencySummary];

export const historyBench: Bench = {
  name: 'history',
  description: 'state at a version / time and diffs on a pool of 1,000,000 events',
  options: {
    events: { type: 'string', default: '1000000', description: 'events in the pool' },
    samples: { type: 'string', default: '20', description: 'reads per measured row' },
    hosts: { type: 'string', default: '32', description: 'hosts of the pool' },
    vms: { type: 'string', default: '2000', description: 'VMs seeded before the churn' },
    'no-write': { type: 'boolean', description: 'print the section, leave BENCHMARKS.md' },
  },

  async run(ctx) {
    const events = numberArg(ctx.args, 'events');
    const samples = Math.max(1, Math.floor(numberArg(ctx.args, 'samples')));
    const db = await createScratchDatabase(ctx.databaseUrl);
    log(`bench history: database ${db.name}`);
    const pool = createEventStorePool({ connectionString: db.url, max: 4 });
    try {
      await runMigrations(db.url);
      const store = new PostgresEventStore(pool, { notifyChannel: false });
      const machine = machineMarkdown(await describeMachine(pool, ctx.databaseUrl));
      const loadAtStart = loadAverage();
      const history = new PoolHistory(store, HISTORY_SNAPSHOT_EVERY);
      const keeping = new LatencyRecorder();
      const writeStarted = performance.now();
      const [writer] = await writePoolLogs(store, {
        pools: 1,
        total: events,
        hosts: numberArg(ctx.args, 'hosts'),
        vms: numberArg(ctx.args, 'vms'),
        afterFlush: async (w) => {
          const started = performance.now();
          await history.catchUp(w.poolId);
          keeping.record(performance.now() - started);
        },
      });
      const poolId = writer!.poolId;
      const head = await store.streamVersion(poolStreamId(poolId));
      const keptMs = keeping.summary().count * keeping.summary().mean;
      log(
        `wrote ${head} events in ${formatDuration((performance.now() - writeStarted) / 1000)}, ` +
          `of which ${formatDuration(keptMs / 1000)} keeping the history`,
      );

      const rand = random(22);
      const version = () => 1 + Math.floor(rand() * head);
      const rows: Row[] = [['history kept after each append (~1,500 events)', keeping.summary()]];
      const measure = async (what: string, times: number, read: () => Promise<unknown>) => {
        const latency = new LatencyRecorder();
        for (let i = 0; i < times && !ctx.signal.aborted; i++) {
          const started = performance.now();
          await read();
          latency.record(performance.now() - started);
        }
        rows.push([what, latency.summary()]);
        log(`${what}: p50 ${formatNumber(latency.summary().p50, 0)} ms`);
      };

      await measure('state at the head, first read', 1, () => history.stateAt(poolId, 'head'));
      await measure('state at a random version', samples, () =>
        history.stateAt(poolId, { version: version() }),
      );
      const times = await store.readStream(poolStreamId(poolId), version(), 1);
      const at = new Date(times[0]!.createdAt);
      await measure('state at a time (a random event’s)', samples, () =>
        history.stateAt(poolId, { time: at }),
      );
      await measure('diff across the whole log (0 → head)', Math.min(samples, 5), () =>
        history.diff(poolId, { version: 0 }, 'head'),
      );
      await measure('diff between random versions', samples, () =>
        history.diff(poolId, { version: version() }, { version: version() }),
      );
      if (ctx.signal.aborted) return;

      const section = [
        '## History: the pool at any version',
        '',
        `Measured with \`${ctx.command}\`: one pool of ${formatNumber(head)} events, read`,
        "through the master's PoolHistory (snapshot at or below the version + the tail; a",
        `history snapshot kept every ${formatNumber(HISTORY_SNAPSHOT_EVERY)} versions; a diff's`,
        'events per changed object from the object index). The history is kept as the log',
        'grows, as the master keeps it after appends: a catch-up after each append, in all',
        `${formatDuration(keptMs / 1000)} for the log. Load average ${loadAtStart} at the start,`,
        `${loadAverage()} at the end. Target ≤ 1 s each.`,
        '',
        markdownTable(
          ['read', 'samples', 'p50 ms', 'p99 ms', 'max ms', 'target'],
          rows.map(([what, s]) => [
            what,
            String(s.count),
            formatNumber(s.p50, 0),
            formatNumber(s.p99, 0),
            formatNumber(s.max, 0),
            what.startsWith('history kept') ? 'background' : s.p99 <= TARGET_MS ? 'met' : 'missed',
          ]),
        ),
        '',
        machine,
      ].join('\n');
      console.log(section);
      if (ctx.args['no-write'] !== true) {
        await writeSection(benchmarksFile(), 'history', section);
        log(`wrote the history section of ${benchmarksFile()}`);
      }
    } finally {
      await pool.end();
      await db.drop();
    }
  },
};
