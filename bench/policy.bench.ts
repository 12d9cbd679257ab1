import {
  desiredState,
  OvsVSwitchDriver,
  plan,
  reconcileFully,
  type HostDesiredState,
  type PoolTopology,
  type TopologyAcl,
} from '@pool/vswitch';
import { topology } from '@pool/vswitch/testing';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { desiredFlows } from '../libs/vswitch/src/drivers/ovs/desired-flows.js';
import { CONCERN, cookie, hex } from '../libs/vswitch/src/drivers/ovs/flows.js';
import { resolveOvsOptions } from '../libs/vswitch/src/drivers/ovs/ovs-options.js';
import { missingOvsLab } from '../test/support/real-part.js';
import { NetnsLab } from '../libs/vswitch/src/testing/netns-lab.js';
import { numberArg, type Bench, type BenchContext } from './support/bench.js';
import { LatencyRecorder, type LatencySummary } from './support/latency.js';
import { hostMarkdown, loadAverage } from './support/machine.js';
import { OvsReadback } from './support/ovs-readback.js';
import {
  benchmarksFile,
  formatDuration,
  formatNumber,
  markdownTable,
  writeSection,
} from './support/report.js';

/**
 * `npm run bench -- policy`: ACL policy on one host's real Open vSwitch (userspace datapath,
 * its own ovsdb-server and ovs-vswitchd in a network namespace, scripts/ovs/start.sh).
 *
 * The driver is driven as the member host drives it (apps/member-host/src/agent/datapath.ts):
 * a boot is `reconcileFully` (read back, plan, apply, drift sweep by content), a change is
 * `plan(next, last)` applied. Every figure ends when a read-back with the stock tools shows the
 * switch done, never on the driver's word.
 */

/** Issue 17's targets. */
const CHANGE_TARGET_MS = 1000;
const BOOT_TARGET_S = 10;
const NETWORK = 'net';
const HOST = 'h1';
/** The changed rule's destination port: nothing else in the pipeline matches it. */
const MARKER_PORT = 4242;

const log = (message: string) => console.error(message);

/**
 * The 10 rules every port carries (cycled past 10): both directions, CIDRs, ranges, stateless.
 * In the vSwitch model's words, seen from the switch: ingress is the domain's from-vm.
 */
const RULE_SHAPES: Omit<TopologyAcl, 'id' | 'scope' | 'priority'>[] = [
  {
    direction: 'ingress',
    match: { protocol: 'tcp', portFrom: 22, cidr: '10.0.0.0/8' },
    action: 'allow',
  },
  { direction: 'egress', match: { protocol: 'tcp', portFrom: 80 }, action: 'allow' },
  { direction: 'egress', match: { protocol: 'tcp', portFrom: 443 }, action: 'allow' },
  {
    direction: 'ingress',
    match: { protocol: 'tcp', portFrom: 3306, cidr: '192.168.0.0/16' },
    action: 'drop',
  },
  { direction: 'ingress', match: { protocol: 'udp', portFrom: 53 }, action: 'allow' },
  { direction: 'egress', match: { protocol: 'icmp' }, action: 'allow' },
  {
    direction: 'egress',
    match: { protocol: 'tcp', portFrom: 8000, portTo: 8080 },
    action: 'allow',
  },
  {
    direction: 'ingress',
    match: { protocol: 'udp', portFrom: 123 },
    action: 'allow',
    stateless: true,
  },
  { direction: 'egress', match: { protocol: 'any', cidr: '203.0.113.0/24' }, action: 'drop' },
  { direction: 'egress', match: { protocol: 'tcp', portFrom: 25 }, action: 'drop' },
];

/** A network-scoped rule: one change that every port of the network must take. */
const networkRule = (
  id: string,
  priority: number,
  shape: (typeof RULE_SHAPES)[number],
): TopologyAcl => ({
  id,
  scope: { networkId: NETWORK },
  priority,
  ...shape,
});

const MARKER_RULE = networkRule('bench-change', 500, {
  direction: 'ingress',
  match: { protocol: 'tcp', portFrom: MARKER_PORT },
  action: 'drop',
});

/** One host, one network, `ports` running VMs with a port-secured VIF each, `rules` rules. */
function poolTopology(ports: number, rules: number, extra: TopologyAcl[] = []): PoolTopology {
  const t = topology().host(HOST).private(NETWORK);
  for (let n = 0; n < ports; n++) {
    t.vm(`vm${n}`, HOST).vif(`vif${n}`, `vm${n}`, NETWORK, {
      mac: `02:bb:00:00:${hex2(n >> 8)}:${hex2(n & 0xff)}`,
      ipv4: `10.64.${Math.floor(n / 250)}.${(n % 250) + 1}`,
      portSecurity: true,
    });
  }
  return t
    .edit((pool) => {
      for (let r = 0; r < rules; r++) {
        pool.acls.push(networkRule(`rule${r}`, 100 + r, RULE_SHAPES[r % RULE_SHAPES.length]!));
      }
      pool.acls.push(...extra);
    })
    .build();
}

const hex2 = (n: number) => n.toString(16).padStart(2, '0');

interface Env {
  ctx: BenchContext;
  lab: NetnsLab;
  runDir: string;
  readback: OvsReadback;
  scratch: string;
  bridge: string;
  ports: string[];
}

const newDriver = (env: Env) =>
  new OvsVSwitchDriver({ runDir: env.runDir, vifInterfaceType: 'internal' });

// ---------------------------------------------------------------------------------------------
// Read-backs: what the switch holds, with ovs-vsctl and ovs-ofctl

/** Every port has an OpenFlow port and the bridge's table is the desired pipeline by content. */
async function verifyAll(env: Env, desired: HostDesiredState): Promise<void> {
  const ofports = await env.readback.ofports();
  const missing = env.ports.filter((p) => !ofports.has(p));
  if (missing.length > 0) {
    throw new Error(`${missing.length} port(s) without an OpenFlow port, e.g. ${missing[0]}`);
  }
  const options = resolveOvsOptions({ runDir: env.runDir, vifInterfaceType: 'internal' });
  const wanted = desiredFlows(desired, options, ofports).get(env.bridge) ?? [];
  const diff = (
    await env.readback.diff(env.bridge, wanted, join(env.scratch, 'desired.flows'))
  ).filter((line) => !isLearned(line));
  if (diff.length > 0) {
    throw new Error(
      `the table differs from the desired pipeline in ${diff.length} flow(s): ${diff[0]}`,
    );
  }
}

/**
 * A MAC a port sent from, written by OVS itself (the `learn` action of the port's ACL flows):
 * the port's announcements, sent through the pipeline, leave these. Not part of the pipeline.
 */
const isLearned = (diffLine: string): boolean => {
  const c = /cookie=(0x[0-9a-f]+)/.exec(diffLine)?.[1];
  return (
    diffLine.startsWith('-') && c !== undefined && (BigInt(c) & 0xffn) === BigInt(CONCERN.learned)
  );
};

/** Ports that hold the marker rule's flows (IPv4 and IPv6), read back by match. */
async function portsWithMarker(env: Env): Promise<{ v4: Set<string>; v6: Set<string> }> {
  const inPorts = (lines: string[]) =>
    new Set(lines.map((line) => /in_port="?([^",\s]+)/.exec(line)?.[1] ?? ''));
  const [v4, v6] = await Promise.all([
    env.readback.flows(env.bridge, `tcp,tp_dst=${MARKER_PORT}`),
    env.readback.flows(env.bridge, `tcp6,tp_dst=${MARKER_PORT}`),
  ]);
  return { v4: inPorts(v4), v6: inPorts(v6) };
}

/** Reads back until `done` holds, and returns when the read that showed it ended. */
async function readBackUntil(check: () => Promise<boolean>, what: string): Promise<number> {
  const deadline = performance.now() + 60_000;
  for (;;) {
    if (await check()) return performance.now();
    if (performance.now() > deadline) throw new Error(`not installed after 60 s: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

interface FlowCounts {
  total: number;
  bridge: number;
  perPort: { min: number; median: number; max: number };
  /** Flows of one port by concern (flows.ts CONCERN; `rules` are the per-rule cookies). */
  concerns: Record<string, number>;
}

async function flowCounts(env: Env): Promise<FlowCounts> {
  const lines = await env.readback.flows(env.bridge);
  const byPrefix = new Map<string, number[]>();
  for (const line of lines) {
    const c = BigInt(/cookie=(0x[0-9a-f]+)/.exec(line)?.[1] ?? '0');
    const prefix = hex(c >> 8n);
    const low = Number(c & 0xffn);
    const counts = byPrefix.get(prefix) ?? [];
    counts[low] = (counts[low] ?? 0) + 1;
    byPrefix.set(prefix, counts);
  }
  const sum = (counts: number[] | undefined) => (counts ?? []).reduce((a, b) => a + (b ?? 0), 0);
  const prefixOf = (name: string) => hex(cookie(name, 'base') >> 8n);
  const perPort = env.ports.map((p) => sum(byPrefix.get(prefixOf(p)))).sort((a, b) => a - b);
  const first = byPrefix.get(prefixOf(env.ports[0]!)) ?? [];
  const names = ['base', 'forwarding', 'security', 'qos', 'acl', 'learned'];
  const concerns: Record<string, number> = {};
  first.forEach((count, low) => {
    if (!count) return;
    const name = low >= 0x80 ? 'rules' : (names[low] ?? `concern ${low}`);
    concerns[name] = (concerns[name] ?? 0) + count;
  });
  return {
    total: lines.length,
    bridge: sum(byPrefix.get(prefixOf(env.bridge))),
    perPort: {
      min: perPort[0] ?? 0,
      median: perPort[Math.floor(perPort.length / 2)] ?? 0,
      max: perPort.at(-1) ?? 0,
    },
    concerns,
  };
}

// ---------------------------------------------------------------------------------------------
// Measurements

interface Timed {
  /** The driver returned (boot: `reconcileFully`, change: `apply`). */
  driver: LatencySummary;
  /** A read-back showed the switch done. */
  verified: LatencySummary;
  operations: number;
  load: string;
}

/**
 * A boot as the member host's: a new driver, `reconcileFully`. `fresh`: from an empty switch (the
 * bridge and its ports deleted first, untimed); otherwise a restarted driver over the switch it
 * left, where the full pass finds nothing to do.
 */
async function boots(
  env: Env,
  desired: HostDesiredState,
  runs: number,
  fresh: boolean,
): Promise<Timed> {
  const driver = new LatencyRecorder();
  const verified = new LatencyRecorder();
  let operations = 0;
  const load = loadAverage();
  for (let i = 0; i < runs && !env.ctx.signal.aborted; i++) {
    if (fresh) await env.readback.vsctl(['--if-exists', 'del-br', env.bridge]);
    const t0 = performance.now();
    const result = await reconcileFully(newDriver(env), desired);
    const t1 = performance.now();
    await verifyAll(env, desired);
    const t2 = performance.now();
    driver.record(t1 - t0);
    verified.record(t2 - t0);
    operations = result.operations.length + result.findings.length;
    log(
      `  ${fresh ? 'fresh boot' : 'restart'} ${i + 1}/${runs}: ${operations} operations/findings, ` +
        `converged ${s(t1 - t0)}, verified ${s(t2 - t0)}`,
    );
  }
  return { driver: driver.summary(), verified: verified.summary(), operations, load };
}

/**
 * The marker rule created on the network, then deleted: each an incremental `apply` of the plan
 * between the two desired states, as the member host does after an event. Done when both
 * families' flows of the rule are on every port (created) or on none (deleted), read back by
 * match; then, untimed, the whole table is compared with the desired pipeline.
 */
async function ruleChanges(
  env: Env,
  states: { without: HostDesiredState; with: HostDesiredState },
  runs: number,
): Promise<{ create: Timed; remove: Timed }> {
  const driver = newDriver(env);
  const recorders = {
    create: { driver: new LatencyRecorder(), verified: new LatencyRecorder(), operations: 0 },
    remove: { driver: new LatencyRecorder(), verified: new LatencyRecorder(), operations: 0 },
  };
  const load = loadAverage();
  for (let i = 0; i < runs && !env.ctx.signal.aborted; i++) {
    for (const kind of ['create', 'remove'] as const) {
      const [next, last] =
        kind === 'create' ? [states.with, states.without] : [states.without, states.with];
      const ops = plan(next, last);
      const t0 = performance.now();
      await driver.apply(ops);
      const t1 = performance.now();
      const t2 = await readBackUntil(async () => {
        const { v4, v6 } = await portsWithMarker(env);
        if (kind === 'remove') return v4.size === 0 && v6.size === 0;
        return env.ports.every((p) => v4.has(p) && v6.has(p));
      }, `rule ${kind} on ${env.ports.length} ports`);
      await verifyAll(env, next);
      const r = recorders[kind];
      r.driver.record(t1 - t0);
      r.verified.record(t2 - t0);
      r.operations = ops.length;
      log(
        `  rule ${kind} ${i + 1}/${runs}: ${ops.length} operations, applied ${s(t1 - t0)}, verified ${s(t2 - t0)}`,
      );
    }
  }
  const done = (r: (typeof recorders)['create']): Timed => ({
    driver: r.driver.summary(),
    verified: r.verified.summary(),
    operations: r.operations,
    load,
  });
  return { create: done(recorders.create), remove: done(recorders.remove) };
}

const s = (ms: number) => `${formatNumber(ms / 1000, 2)} s`;

// ---------------------------------------------------------------------------------------------

interface Result {
  ports: number;
  rules: number;
  runs: number;
  fresh?: Timed;
  restart?: Timed;
  create?: Timed;
  remove?: Timed;
  flows?: FlowCounts;
  /** Measurements that did not complete, with why. */
  failures: string[];
  memory?: { benchRssMb: number; heapMb: number; vswitchdRssMb: number; vswitchdPeakMb: number };
}

async function run(ctx: BenchContext): Promise<void> {
  const ports = numberArg(ctx.args, 'ports');
  const rules = numberArg(ctx.args, 'rules');
  const runs = Math.max(1, numberArg(ctx.args, 'runs'));
  const missing = missingOvsLab(['ip', 'ovs-vsctl', 'ovs-ofctl', 'ovs-vswitchd', 'ovsdb-server']);
  if (missing) throw new Error(`the policy bench needs real Open vSwitch: ${missing}`);
  const began = performance.now();
  const load = { start: loadAverage(), end: '' };

  const lab = new NetnsLab(`pnb${process.pid}`);
  const scratch = await mkdtemp(join(tmpdir(), 'poolnet-bench-policy-'));
  const result: Result = { ports, rules, runs, failures: [] };
  try {
    await lab.start();
    const host = await lab.addHost(HOST);
    const without = desiredState(poolTopology(ports, rules), HOST);
    const withRule = desiredState(poolTopology(ports, rules, [MARKER_RULE]), HOST);
    const bridge = without.bridges[0]!;
    const env: Env = {
      ctx,
      lab,
      runDir: host.runDir,
      readback: new OvsReadback(host.runDir),
      scratch,
      bridge: bridge.name,
      ports: bridge.ports.map((p) => p.name),
    };
    log(`policy bench: ${ports} ports × ${rules} rules on ${bridge.name} (${host.netns})`);

    log('boot from an empty switch');
    result.fresh = await boots(env, without, runs, true);
    result.flows = await flowCounts(env);
    log(`  ${result.flows.total} flows, ${result.flows.perPort.median} per port (median)`);
    const vswitchd = await env.readback.vswitchdMemory();
    const self = process.memoryUsage();
    result.memory = {
      benchRssMb: self.rss / 2 ** 20,
      heapMb: self.heapUsed / 2 ** 20,
      vswitchdRssMb: vswitchd.rssKb / 1024,
      vswitchdPeakMb: vswitchd.peakKb / 1024,
    };
    // A measurement that fails (a driver call timing out, a read-back that never completes) is
    // a result too: it is reported as such and the next one still runs.
    const attempt = async (what: string, measure: () => Promise<void>) => {
      if (ctx.signal.aborted) return;
      log(what);
      await measure().catch((error: unknown) => {
        const message = error instanceof Error ? error.message : String(error);
        log(`  failed: ${message}`);
        result.failures.push(`${what}: ${message.split('\n')[0]?.slice(0, 400)}`);
      });
    };
    await attempt('a network-scoped rule created, then deleted', async () => {
      const changes = await ruleChanges(env, { without, with: withRule }, runs);
      result.create = changes.create;
      result.remove = changes.remove;
    });
    await attempt('a restarted driver over the switch', async () => {
      result.restart = await boots(env, without, runs, false);
    });
    load.end = loadAverage();
    if (ctx.signal.aborted) return;
    const body = render(result, {
      command: ctx.command,
      seconds: (performance.now() - began) / 1000,
      load,
    });
    if (ctx.args['dry-run'] === true) console.log(body);
    else {
      await writeSection(benchmarksFile(), 'policy', body);
      console.log(body);
    }
  } finally {
    await lab.stop();
    await rm(scratch, { recursive: true, force: true });
  }
}

const verdict = (met: boolean) => (met ? 'met' : '**missed**');
const msCell = (l: LatencySummary) => `${formatNumber(l.p50, 0)} / ${formatNumber(l.max, 0)}`;

/** `ovs-vswitchd (Open vSwitch) 3.1.0` → the version line the figures were measured with. */
const ovsVersion = (): string =>
  execFileSync('ovs-vswitchd', ['--version'], { encoding: 'utf8' }).split('\n')[0] ?? 'unknown';

function render(
  r: Result,
  meta: { command: string; seconds: number; load: { start: string; end: string } },
): string {
  const lines = [
    '## ACL policy on real Open vSwitch (one host)',
    '',
    hostMarkdown(),
    `- ${ovsVersion()}`,
    `- Date: ${new Date().toISOString().replace(/\.\d+Z$/, 'Z')}; command \`${meta.command}\`; run time ${formatDuration(meta.seconds)}`,
    `- 1-minute load average: ${meta.load.start} at the start, ${meta.load.end} at the end (other work on the machine skews every figure)`,
    '',
    `One host's own Open vSwitch (ovsdb-server and ovs-vswitchd, userspace datapath, started by`,
    '`scripts/ovs/start.sh` in a network namespace of the bench). One private network, ' +
      `${formatNumber(r.ports, 0)} running VMs with one port-secured VIF each (OVS internal ports:`,
    'real OpenFlow ports, no traffic), and ' +
      `${r.rules} network-scoped ACL rules (both directions, CIDRs, a port range, a stateless`,
    'allow), so every port carries every rule. The OVS driver is driven as the member host drives',
    'it: a boot is `reconcileFully` (read back, plan, apply, drift sweep by content), a change is',
    'the plan between the last and the next desired state, applied. Each time ends when a',
    'read-back with `ovs-vsctl`/`ovs-ofctl` shows the switch done, not when the driver says so:',
    'a boot when every port has an OpenFlow port and `ovs-ofctl diff-flows` finds the bridge',
    "equal to the desired pipeline; a rule change when `dump-flows` by the rule's match shows",
    'its flows (IPv4 and IPv6) on every port (created) or on none (deleted) — the whole table',
    'is then compared again, untimed. A boot from an empty switch includes, inside its time, what',
    'the driver does once the ports forward: each port announces its VIF (a RARP and a gratuitous',
    'ARP, packet-outs through the pipeline as if the VM sent them), and NORMAL floods each of those',
    'broadcasts to every port of the bridge, so this part grows faster than the number of ports.',
    `Each figure is p50 / max of ${r.runs} run(s), in ms.`,
    '',
  ];
  const rows: string[][] = [];
  const row = (what: string, t: Timed | undefined, target: string, met: boolean | undefined) => {
    if (!t) return;
    rows.push([
      what,
      t.load,
      formatNumber(t.operations, 0),
      msCell(t.driver),
      msCell(t.verified),
      met === undefined ? '–' : `${target}: ${verdict(met)}`,
    ]);
  };
  const changeTarget = `≤ ${CHANGE_TARGET_MS} ms`;
  row(
    'rule created on the network',
    r.create,
    changeTarget,
    r.create && r.create.verified.max <= CHANGE_TARGET_MS,
  );
  row(
    'rule deleted from the network',
    r.remove,
    changeTarget,
    r.remove && r.remove.verified.max <= CHANGE_TARGET_MS,
  );
  const bootTarget = `≤ ${BOOT_TARGET_S} s`;
  row(
    'boot, empty switch',
    r.fresh,
    bootTarget,
    r.fresh && r.fresh.verified.max <= BOOT_TARGET_S * 1000,
  );
  row(
    'boot, restarted driver',
    r.restart,
    bootTarget,
    r.restart && r.restart.verified.max <= BOOT_TARGET_S * 1000,
  );
  lines.push(
    markdownTable(
      [
        'change',
        'load avg',
        'operations',
        'driver returned p50 / max',
        'read back done p50 / max',
        'target (max)',
      ],
      rows,
    ),
  );
  if (r.failures.length > 0) {
    lines.push('', 'Failed (no figure; each counts as a missed target):', '');
    for (const failure of r.failures) lines.push(`- ${failure.replace(/`/g, "'")}`);
  }
  if (r.flows) {
    const f = r.flows;
    const concerns = Object.entries(f.concerns)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
    lines.push(
      '',
      `Flows read back after the boot: ${formatNumber(f.total, 0)} on the bridge, ${f.bridge} of them the`,
      `bridge's own; per port ${f.perPort.min} / ${f.perPort.median} / ${f.perPort.max} (min / median / max), one`,
      `port's by concern: ${concerns}.`,
    );
  }
  if (r.memory) {
    const m = r.memory;
    lines.push(
      '',
      `Memory after the boot (VmRSS): ovs-vswitchd ${formatNumber(m.vswitchdRssMb)} MB (peak ${formatNumber(m.vswitchdPeakMb)} MB);`,
      `the bench process, which holds the driver and both desired states, ${formatNumber(m.benchRssMb)} MB`,
      `(V8 heap used ${formatNumber(m.heapMb)} MB).`,
    );
  }
  return lines.join('\n');
}

export const policyBench: Bench = {
  name: 'policy',
  description:
    'ACL policy on real OVS, one host: rule change on every port, boot converge, flows per port',
  options: {
    ports: { type: 'string', default: '1000', description: 'VIF ports on the host' },
    rules: {
      type: 'string',
      default: '10',
      description: 'network-scoped ACL rules every port carries',
    },
    runs: { type: 'string', default: '5', description: 'runs of each measurement' },
    'dry-run': {
      type: 'boolean',
      default: false,
      description: 'print the section but do not write it into BENCHMARKS.md',
    },
  },
  run,
};
