import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { NetnsLab } from '../libs/vswitch/src/testing/netns-lab.js';
import { sleep } from './support/apps.js';
import {
  listArg,
  numberArg,
  type BenchArgs,
  type Bench,
  type BenchContext,
} from './support/bench.js';
import { describeMachine, loadAverage, machineMarkdown } from './support/machine.js';
import { measureBatch, type Batch } from './support/ovn-peer/batch.js';
import { checkFlows, type FlowCheck } from './support/ovn-peer/flow-check.js';
import { OVN_SHARE, OvnSide } from './support/ovn-peer/ovn-side.js';
import { PARTS, type Part, type PeerSystem } from './support/ovn-peer/peer-system.js';
import { PoolnetSide } from './support/ovn-peer/poolnet-side.js';
import { renderOvnPeer } from './support/ovn-peer/render.js';
import { benchmarksFile, formatNumber, writeSection } from './support/report.js';

/**
 * `npm run bench -- ovn-peer`: OVN (Debian's ovn-central and ovn-host) and poolnet side by side
 * on the same userspace Open vSwitch, the same N simulated hypervisors and the same changes
 * (an ACL, port security on one port), in alternating rounds: call → every hypervisor applied,
 * and CPU per change of every process of each system (issue 25). Needs root, Open vSwitch,
 * OVN and iproute2; fails, never skips, when one is missing.
 */

const log = (message: string) => console.error(message);

const TOOLS = [
  'ip',
  'ss',
  'ovsdb-tool',
  'ovsdb-server',
  'ovs-vswitchd',
  'ovs-vsctl',
  'ovs-ofctl',
  'ovs-appctl',
  'ovn-nbctl',
  'ovn-northd',
  'ovn-controller',
];

/** Why this machine cannot run the bench, or undefined. */
function missingParts(): string | undefined {
  if (process.getuid?.() !== 0) return 'root (network namespaces)';
  for (const tool of TOOLS) {
    try {
      execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    } catch {
      return `${tool} (apt-get install ovn-central ovn-host openvswitch-switch iproute2)`;
    }
  }
  for (const schema of ['ovn-nb', 'ovn-sb'].map((db) => `${OVN_SHARE}/${db}.ovsschema`)) {
    if (!existsSync(schema)) return `${schema} (apt-get install ovn-central ovn-host)`;
  }
  return undefined;
}

interface Settings {
  hosts: number[];
  samples: number;
  rounds: number;
  warmup: number;
  parts: Part[];
  write: boolean;
}

/** `--quick` (or OVN_PEER_QUICK=1): a smoke run that prints its section and writes nothing. */
const QUICK = { hosts: '1', samples: '10', rounds: '2', warmup: '2' };
const FULL = { hosts: '1,3,10,20', samples: '50', rounds: '3', warmup: '4' };

function settingsOf(args: BenchArgs): Settings {
  const quick = args.quick === true || process.env.OVN_PEER_QUICK === '1';
  const given = (name: keyof typeof FULL) => ({
    [name]: args[name] ?? (quick ? QUICK : FULL)[name],
  });
  const with_ = {
    ...args,
    ...given('hosts'),
    ...given('samples'),
    ...given('rounds'),
    ...given('warmup'),
  };
  const parts = listArg(with_, 'parts');
  const unknown = parts.filter((p) => !(PARTS as readonly string[]).includes(p));
  if (unknown.length > 0) throw new Error(`--parts: unknown ${unknown.join(', ')}`);
  const even = (n: number) => Math.max(2, Math.ceil(n / 2) * 2);
  return {
    hosts: listArg(with_, 'hosts').map(Number),
    // Even, so each batch of toggles ends with the rule removed and port security off.
    samples: even(numberArg(with_, 'samples')),
    rounds: Math.max(1, numberArg(with_, 'rounds')),
    warmup: numberArg(with_, 'warmup') === 0 ? 0 : even(numberArg(with_, 'warmup')),
    parts: parts as Part[],
    write: !quick && args['dry-run'] !== true,
  };
}

const firstLine = (command: string) =>
  execFileSync(command, ['--version'], { encoding: 'utf8' }).split('\n')[0]?.trim() ?? '?';

/** Every namespace of the lab goes with it: any left is a failure of the bench. */
function leftBehind(prefix: string): string[] {
  return execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })
    .split('\n')
    .map((line) => line.split(' ')[0] ?? '')
    .filter((name) => name.startsWith(`${prefix}-`));
}

async function run(ctx: BenchContext): Promise<void> {
  const missing = missingParts();
  if (missing) throw new Error(`the ovn-peer bench needs ${missing}`);
  const settings = settingsOf(ctx.args);
  const servers = {
    databaseUrl: ctx.databaseUrl,
    natsUrl: process.env.NATS_URL ?? 'nats://127.0.0.1:4222',
  };
  const began = performance.now();
  const load = { start: loadAverage(), end: '' };
  const batches: Batch[] = [];
  const checks: FlowCheck[] = [];
  const prefix = `op${process.pid % 100000}`;
  let systems: Record<'ovn' | 'poolnet', PeerSystem> | undefined;

  for (const n of settings.hosts) {
    if (ctx.signal.aborted) break;
    const lab = new NetnsLab(prefix);
    const root = await mkdtemp(join(tmpdir(), 'poolnet-bench-ovn-peer-'));
    const ovn = new OvnSide(lab, root, n);
    const poolnet = new PoolnetSide(lab, root, n, servers);
    systems = { ovn, poolnet };
    try {
      await lab.start();
      log(`${n} hypervisor(s): OVN up`);
      await ovn.start();
      log(`${n} hypervisor(s): poolnet up`);
      await poolnet.start();
      await sleep(5_000);
      for (const system of [ovn, poolnet]) {
        for (const part of ['acl', 'port-security'] as const) {
          const check = await checkFlows(system, part);
          checks.push(check);
          log(`  ${system.name} ${part}: flows changed per hypervisor ${check.changed.join('/')}`);
        }
      }
      for (let round = 1; round <= settings.rounds && !ctx.signal.aborted; round++) {
        for (const system of [ovn, poolnet]) {
          for (const part of settings.parts) {
            if (ctx.signal.aborted) break;
            const batch = await measureBatch(system, part, {
              k: settings.samples,
              warmup: settings.warmup,
              round,
            });
            batches.push(batch);
            log(summary(batch, system));
          }
        }
      }
    } finally {
      log(`${n} hypervisor(s): down`);
      for (const system of [poolnet, ovn]) {
        await system.stop().catch((error: unknown) => log(`${system.name} stop: ${String(error)}`));
      }
      await lab.stop();
      await rm(root, { recursive: true, force: true });
    }
    const left = leftBehind(prefix);
    if (left.length > 0) throw new Error(`network namespaces left behind: ${left.join(', ')}`);
  }
  load.end = loadAverage();
  if (ctx.signal.aborted || !systems) return;

  const db = new pg.Pool({ connectionString: ctx.databaseUrl, max: 1 });
  const machine = await describeMachine(db, ctx.databaseUrl).finally(() => db.end());
  const body = renderOvnPeer({
    machine: machineMarkdown(machine),
    versions: `${firstLine('ovs-vswitchd')}; ${firstLine('ovn-controller')}; ${firstLine('ovn-northd')}`,
    command: ctx.command,
    seconds: (performance.now() - began) / 1000,
    load,
    settings,
    systems,
    batches,
    checks,
  });
  if (settings.write) await writeSection(benchmarksFile(), 'ovn-peer', body);
  else log('quick or dry run: BENCHMARKS.md left as it was');
  console.log(body);
}

function summary(b: Batch, system: PeerSystem): string {
  const sorted = [...b.samples].sort((x, y) => x - y);
  const at = (q: number) => sorted[Math.min(sorted.length, Math.ceil(q * sorted.length)) - 1]!;
  const own = Object.entries(b.cpu)
    .filter(([role]) => !system.sharedRoles.includes(role))
    .reduce((s, [, v]) => s + v, 0);
  const f = (v: number) => formatNumber(v, 1);
  return (
    `  ${b.system} ${b.hypervisors}× round ${b.round} ${b.part}: p50 ${f(at(0.5))} p99 ${f(at(0.99))} ` +
    `max ${f(sorted.at(-1)!)} ms; CPU ${f((own / b.samples.length) * 1000)} ms per change; load ${b.loadAtStart}`
  );
}

export const ovnPeerBench: Bench = {
  name: 'ovn-peer',
  description:
    'OVN beside poolnet on N simulated hypervisors: change → every hypervisor applied, CPU per change (needs root, OVS, OVN)',
  options: {
    hosts: { type: 'string', description: 'hypervisor counts (default 1,3,10,20; --quick: 1)' },
    samples: {
      type: 'string',
      description: 'changes per batch, made even (default 50; --quick: 10)',
    },
    rounds: {
      type: 'string',
      description: 'alternating rounds per system (default 3; --quick: 2)',
    },
    warmup: {
      type: 'string',
      description: 'unmeasured changes before each batch, made even (default 4; --quick: 2)',
    },
    parts: {
      type: 'string',
      default: PARTS.join(','),
      description:
        'rows to measure: acl and port-security (every hypervisor applied), commit (the ACL committed only), floor (the client alone)',
    },
    quick: {
      type: 'boolean',
      description: 'a small smoke run (also OVN_PEER_QUICK=1); prints, writes no BENCHMARKS.md',
    },
    'dry-run': { type: 'boolean', description: 'print the section, leave BENCHMARKS.md alone' },
  },
  run,
};
