import { percentile } from '../latency.js';
import { formatDuration, formatNumber, markdownTable } from '../report.js';
import { type Batch } from './batch.js';
import { type FlowCheck } from './flow-check.js';
import { type Part, type PeerSystem, type SystemName } from './peer-system.js';

/** The ovn-peer section of BENCHMARKS.md: both systems beside each other, for each N. */

export interface Run {
  machine: string;
  versions: string;
  command: string;
  seconds: number;
  load: { start: string; end: string };
  settings: { hosts: number[]; samples: number; rounds: number; warmup: number; parts: Part[] };
  systems: Record<SystemName, Pick<PeerSystem, 'calls' | 'hypervisorRoles' | 'sharedRoles'>>;
  batches: Batch[];
  checks: FlowCheck[];
}

interface Cell {
  count: number;
  p50: number;
  p99: number;
  max: number;
  /** ms of CPU per change: the system's processes, its hypervisors' alone (per hypervisor). */
  cpu: number;
  cpuPerHypervisor: number;
  shared: number;
  client: number;
  byRole: [string, number][];
  loads: string[];
}

const ms = (v: number) => formatNumber(v, v >= 100 ? 0 : 1);

function cell(run: Run, system: SystemName, n: number, part: Part): Cell | undefined {
  const batches = run.batches.filter(
    (b) => b.system === system && b.hypervisors === n && b.part === part,
  );
  if (batches.length === 0) return undefined;
  const sorted = Float64Array.from(batches.flatMap((b) => b.samples)).sort();
  const count = sorted.length;
  const roles: Record<string, number> = {};
  for (const b of batches) {
    for (const [role, s] of Object.entries(b.cpu)) roles[role] = (roles[role] ?? 0) + s;
  }
  const { hypervisorRoles, sharedRoles } = run.systems[system];
  const perChange = (s: number) => (s / count) * 1000;
  const own = Object.entries(roles).filter(([role]) => !sharedRoles.includes(role));
  const sum = (entries: [string, number][]) => entries.reduce((s, [, v]) => s + v, 0);
  return {
    count,
    p50: percentile(sorted, 0.5),
    p99: percentile(sorted, 0.99),
    max: sorted[count - 1]!,
    cpu: perChange(sum(own)),
    cpuPerHypervisor: perChange(sum(own.filter(([r]) => hypervisorRoles.includes(r)))) / n,
    shared: perChange(sum(Object.entries(roles).filter(([r]) => sharedRoles.includes(r)))),
    client: perChange(batches.reduce((s, b) => s + b.clientCpu, 0)),
    byRole: own.map(([r, v]) => [r, perChange(v)] as [string, number]).sort((a, b) => b[1] - a[1]),
    loads: batches.map((b) => b.loadAtStart),
  };
}

const times = (c: Cell | undefined) => (c ? `${ms(c.p50)} / ${ms(c.p99)} / ${ms(c.max)}` : '–');
const pair = (a: string, b: string) => `${a} / ${b}`;
const loadRange = (...cells: (Cell | undefined)[]) => {
  const loads = cells.flatMap((c) => c?.loads ?? []).map(Number);
  return loads.length === 0
    ? '–'
    : `${formatNumber(Math.min(...loads), 2)}–${formatNumber(Math.max(...loads), 2)}`;
};
const verdict = (met: boolean) => (met ? 'met' : '**missed**');
const LABEL: Record<Part, string> = {
  acl: 'ACL added or removed',
  'port-security': 'port security on/off, one port',
  commit: 'ACL, committed only',
  floor: 'client floor (no change)',
};

/** For each N and part measured on both systems: the two cells, OVN's and poolnet's. */
function* besideEachOther(run: Run, parts: readonly Part[]) {
  for (const n of run.settings.hosts) {
    for (const part of parts) {
      const [o, p] = [cell(run, 'ovn', n, part), cell(run, 'poolnet', n, part)];
      if (o && p) yield { n, part, o, p };
    }
  }
}

function appliedTable(run: Run): string {
  const rows: string[][] = [];
  for (const { n, part, o, p } of besideEachOther(run, ['acl', 'port-security'])) {
    rows.push([
      String(n),
      LABEL[part],
      times(o),
      times(p),
      pair(ms(o.cpu), ms(p.cpu)),
      pair(ms(o.cpuPerHypervisor), ms(p.cpuPerHypervisor)),
      String(o.count),
      loadRange(o, p),
      `p50 ${verdict(p.p50 <= o.p50)}; CPU per hypervisor ${verdict(p.cpuPerHypervisor <= o.cpuPerHypervisor)}`,
    ]);
  }
  return markdownTable(
    [
      'hypervisors',
      'change',
      'OVN p50 / p99 / max ms',
      'poolnet p50 / p99 / max ms',
      'CPU ms per change, OVN / poolnet',
      '… per hypervisor, OVN / poolnet',
      'samples each',
      '1-min load',
      'target (poolnet ≤ OVN)',
    ],
    rows,
    true,
    2,
  );
}

function centralTable(run: Run): string {
  const rows: string[][] = [];
  for (const { n, part, o, p } of besideEachOther(run, ['commit', 'floor'])) {
    // Without waiting for the hosts, poolnet's batch ends before they applied: CPU is partial.
    const poolnetCpu = part === 'commit' ? `(${ms(p.cpu)})` : ms(p.cpu);
    rows.push([
      String(n),
      LABEL[part],
      times(o),
      times(p),
      pair(ms(o.cpu), poolnetCpu),
      pair(ms(o.client), ms(p.client)),
      String(o.count),
      loadRange(o, p),
    ]);
  }
  return markdownTable(
    [
      'hypervisors',
      'row',
      'OVN p50 / p99 / max ms',
      'poolnet p50 / p99 / max ms',
      'CPU ms per change, OVN / poolnet',
      'client CPU ms per call, OVN / poolnet',
      'samples each',
      '1-min load',
    ],
    rows,
    true,
    2,
  );
}

function roleLines(run: Run): string[] {
  const split = (c: Cell) => c.byRole.map(([r, v]) => `${r} ${ms(v)}`).join(', ');
  return [...besideEachOther(run, ['acl', 'port-security', 'commit'])].map(
    ({ n, part, o, p }) =>
      `- ${n} × ${LABEL[part]}: OVN ${split(o)}; poolnet ${split(p)}; ` +
      `NATS (shared server, not counted) ${ms(p.shared)}`,
  );
}

function checkLines(run: Run): string[] {
  return run.settings.hosts.flatMap((n) => {
    const of = (system: SystemName, part: FlowCheck['part']) => {
      const c = run.checks.find(
        (x) => x.system === system && x.hypervisors === n && x.part === part,
      );
      return c ? `${c.changed.join('/')}${c.restored ? '' : ' (not restored after)'}` : '–';
    };
    return [
      `- ${n} hypervisor(s): ACL: OVN ${of('ovn', 'acl')}, poolnet ${of('poolnet', 'acl')}; ` +
        `port security: OVN ${of('ovn', 'port-security')}, poolnet ${of('poolnet', 'port-security')}`,
    ];
  });
}

export function renderOvnPeer(run: Run): string {
  const { settings: s } = run;
  const calls = (part: Part) =>
    `- ${LABEL[part]}: OVN ${run.systems.ovn.calls[part]}; poolnet ${run.systems.poolnet.calls[part]}`;
  return [
    '## OVN beside poolnet: one change to every hypervisor',
    '',
    run.machine,
    `- ${run.versions}`,
    `- Command: \`${run.command}\` (as root; DATABASE_URL and NATS_URL at the servers above); run time ${formatDuration(run.seconds)}`,
    `- 1-minute load average: ${run.load.start} at the start, ${run.load.end} at the end; each row shows the range at its batches' starts (other work on the machine skews every figure)`,
    '',
    `For each number of hypervisors (${s.hosts.join(', ')}), both systems run at once on this machine, each`,
    'hypervisor a network namespace with its own userspace Open vSwitch (`datapath_type=netdev`)',
    "and its system's agent (OVN: `ovn-controller`; poolnet: a member host, `DRIVER=ovs`), one VM",
    'port per hypervisor. OVN central: NB and SB `ovsdb-server` and `ovn-northd` (unix sockets, no',
    'RAFT); poolnet central: one pool master over PostgreSQL and JetStream. Rounds alternate',
    `(OVN round 1, poolnet round 1, OVN round 2, …): ${s.rounds} round(s) of ${s.samples} changes per row and system, each batch after ${s.warmup} unmeasured ones.`,
    'Time is from the call to the answer that says every hypervisor applied the change',
    "(`--wait=hv`: every chassis installed it and got the barrier back; `?wait=hosts`: every host's",
    'report of the new version, its switch converged and journal written). CPU is',
    '`/proc/<pid>/stat` utime + stime + the reaped children of every process of the system (a',
    "member host's `ovs-vsctl`/`ovs-ofctl` count for it), read before and after each batch and",
    'divided by its changes. OVN: ovsdb-server NB and SB, ovn-northd, and per chassis ovn-controller,',
    'ovs-vswitchd, ovsdb-server. poolnet: pool master, PostgreSQL backends of its database, and per',
    'host the member host, ovs-vswitchd, ovsdb-server; the NATS server is shared with other work, so',
    "its CPU is shown apart and not added in. Per hypervisor: the hypervisors' processes alone,",
    "divided by their number. The client (the `ovn-nbctl` processes; the bench's keep-alive HTTP",
    'requests) is shown apart. On one machine, N hypervisors share its cores: latency at larger N',
    'is partly the CPU of all of them queued up.',
    '',
    ...s.parts.map(calls),
    '',
    '### Call → every hypervisor applied',
    '',
    appliedTable(run),
    '',
    '### Committed centrally only, and the client floor',
    '',
    'Committed only sends the next change as soon as the previous one is answered, while the',
    "hypervisors still apply it; poolnet's CPU there stops at the last answer, before its hosts",
    'finished (in parentheses: partial).',
    '',
    centralTable(run),
    '',
    '### CPU ms per change, by process',
    '',
    ...roleLines(run),
    '',
    '### Flows one change adds or removes on each hypervisor',
    '',
    'Read back with `ovs-ofctl dump-flows` (counters and cookies left out) before the rounds, once',
    'on and once off, untimed; hypervisor 1/2/…, flows in one dump and not the other:',
    '',
    ...checkLines(run),
  ].join('\n');
}
