/**
 * The soak: the whole stack (its own NATS and PostgreSQL, two pool masters, the projection,
 * member hosts) under a steady mix of commands for a long time, reporting the commands/s it
 * held minute by minute, the latency, and every process's resident memory at the start and the
 * end (a leak shows as growth). It ends with the fault suite's consistency check.
 */
import {
  formatNumber,
  markdownTable,
  benchmarksFile,
  formatDuration,
  writeSection,
} from './support/report.js';
import { numberArg, type Bench } from './support/bench.js';
import { percentile } from './support/latency.js';
import { describeMachine, loadAverage, machineMarkdown } from './support/machine.js';
import { FaultStack } from '../test/faults/support/fault-stack.js';
import { sleep } from '../test/faults/support/local-process.js';
import { Scenario, type ScenarioResult } from '../test/faults/support/scenario.js';

interface Minute {
  minute: number;
  commands: number;
  perSecond: number;
  p99: number;
  lag: number;
}

const p = (values: number[], q: number) => percentile(Float64Array.from(values).sort(), q);
const mb = (kb: number | undefined) => (kb === undefined ? '–' : formatNumber(kb / 1024, 1));

export const soakBench: Bench = {
  name: 'soak',
  description:
    'steady commands against the full stack for a long time: commands/s held, p99 latency, RSS of every process at the start and the end',
  options: {
    minutes: {
      type: 'string',
      default: process.env.SOAK_MINUTES ?? '10',
      description: 'how long the load runs (or SOAK_MINUTES)',
    },
    hosts: { type: 'string', default: '3', description: 'member hosts (memory datapath)' },
    workers: { type: 'string', default: '4', description: 'concurrent command senders' },
    'think-ms': {
      type: 'string',
      default: '30',
      description: "pause between a sender's commands",
    },
    'dry-run': {
      type: 'boolean',
      default: false,
      description: 'print the figures without writing BENCHMARKS.md',
    },
  },
  async run(ctx) {
    const minutes = numberArg(ctx.args, 'minutes');
    const started = Date.now();
    const loadBefore = loadAverage();
    console.log('starting the stack (its own NATS and PostgreSQL)…');
    const stack = await FaultStack.start();
    try {
      const machine = await describeMachine(stack.sql, stack.postgres.url);
      const s = await Scenario.start(stack, 'soak', {
        hosts: numberArg(ctx.args, 'hosts'),
        workers: numberArg(ctx.args, 'workers'),
        thinkMs: numberArg(ctx.args, 'think-ms'),
      });
      await s.run(5000); // warm-up: hosts joined, JIT warm
      const rssStart = await stack.rss();
      const from = Date.now();
      const firstAck = s.load.acks.length;
      const rows: Minute[] = [];
      // Every process's RSS after each minute: a leak keeps growing, a warm-up levels off.
      const rssByMinute: Awaited<ReturnType<FaultStack['rss']>>[] = [];
      const end = from + minutes * 60_000;
      while (Date.now() < end && !ctx.signal.aborted) {
        const windowStart = Date.now();
        const before = s.load.acks.length;
        await sleep(Math.min(60_000, end - windowStart));
        const acks = s.load.acks.slice(before);
        const seconds = (Date.now() - windowStart) / 1000;
        const row = {
          minute: rows.length + 1,
          commands: acks.length,
          perSecond: acks.length / seconds,
          p99: p(
            acks.map((a) => a.latencyMs),
            0.99,
          ),
          lag: await s.lag(),
        };
        rows.push(row);
        rssByMinute.push(await stack.rss());
        console.log(
          `minute ${row.minute}: ${formatNumber(row.perSecond)} commands/s, p99 ${formatNumber(row.p99)} ms, slowest host ${row.lag} versions behind`,
        );
      }
      const measured = s.load.acks.slice(firstAck);
      const seconds = (Date.now() - from) / 1000;
      const rssEnd = rssByMinute.at(-1) ?? (await stack.rss());
      const rssHalf = rssByMinute[Math.floor(rssByMinute.length / 2) - 1] ?? rssStart;
      const result: ScenarioResult = await s.finish();
      const latencies = measured.map((a) => a.latencyMs);
      const overall = measured.length / seconds;
      const held = Math.min(...rows.map((r) => r.perSecond));
      const consistent =
        result.log.lost.length === 0 &&
        result.log.duplicateEffects === 0 &&
        result.reports.mismatches.length === 0 &&
        result.crashed.length === 0;
      const body = [
        '## Soak: the whole stack under a steady load',
        '',
        machineMarkdown(machine),
        `- Command: \`${ctx.command}\`; run time ${formatDuration((Date.now() - started) / 1000)}`,
        `- 1-minute load average: ${loadBefore} at the start, ${loadAverage()} at the end`,
        '',
        `Its own nats-server and PostgreSQL cluster, two pool-master replicas, the projection (read`,
        `models and migration coordinator) and ${s.hosts.length} member hosts (memory datapath), all on this`,
        `machine with the load driver. ${String(ctx.args.workers)} senders each walk a cycle of commands (network created,`,
        'MTU changed, destroyed; VM with two VIFs created, started, re-addressed, stopped,',
        'destroyed); every other sender also requests a migration and waits while the coordinator',
        `drives it. Commands go ${String(ctx.args['think-ms'])} ms apart, each retried with its id until answered;`,
        "latency is per command, client side; the coordinator's own commands are not counted.",
        '',
        markdownTable(
          ['minute', 'commands', 'commands/s', 'p99 ms', 'slowest host behind (versions)'],
          rows.map((r) => [
            String(r.minute),
            String(r.commands),
            formatNumber(r.perSecond),
            formatNumber(r.p99),
            String(r.lag),
          ]),
        ),
        '',
        `- Over ${formatDuration(seconds)}: **${formatNumber(overall)} commands/s** on average, ` +
          `**${formatNumber(held)}/s** in the slowest minute; latency p50 ${formatNumber(p(latencies, 0.5))} ms, ` +
          `**p99 ${formatNumber(p(latencies, 0.99))} ms**, max ${formatNumber(Math.max(...latencies))} ms`,
        `- Retries ${result.retries}, refusals ${result.refusals.length}, never answered ${result.unanswered}`,
        `- At the end: ${result.log.acknowledged} commands acknowledged, ${result.log.lost.length} lost, ` +
          `${result.log.duplicateEffects} applied twice; every host at the head (${result.head}) with the model's ` +
          `digest after ${formatDuration(result.headConvergedMs / 1000)}; ${result.reports.checked} reports checked, ` +
          `${result.reports.mismatches.length} mismatches; read models ${result.readModels}; ` +
          `${consistent ? '**consistent**' : '**NOT consistent**'}`,
        '',
        `Resident memory (MB), read after the warm-up ("start"), after each minute, and at the`,
        'end; the last column is the growth over the second half of the run alone, where a leak',
        'still grows and a warm-up (heaps and caches reaching their working size) has levelled off.',
        '',
        markdownTable(
          ['process', 'start', `minute ${rssByMinute.length >> 1}`, 'end', 'growth', 'second half'],
          rssStart.map((r) => {
            const kb = (sample: typeof rssStart) => sample.find((e) => e.name === r.name)?.kb;
            const diff = (a?: number, b?: number) =>
              a !== undefined && b !== undefined ? mb(b - a) : '–';
            const half = kb(rssHalf);
            const last = kb(rssEnd);
            return [r.name, mb(r.kb), mb(half), mb(last), diff(r.kb, last), diff(half, last)];
          }),
        ),
        '',
        `Per minute: ${rssByMinute
          .map((sample, i) => `${i + 1}: ${sample.map((e) => mb(e.kb)).join('/')}`)
          .join('; ')} (in the table's order).`,
      ].join('\n');
      console.log(body);
      if (ctx.args['dry-run'] !== true) await writeSection(benchmarksFile(), 'soak', body);
    } finally {
      await stack.close();
    }
  },
};
