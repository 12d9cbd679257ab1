import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { subjects, type CommandReply } from '@pool/contracts';
import { bridgeName, portName } from '@pool/vswitch';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import {
  ForwardingWatch,
  Pinger,
  SwitchFdbWatch,
  type LossWindow,
} from '../libs/vswitch/src/testing/migration-probe.js';
import { NetnsLab } from '../libs/vswitch/src/testing/netns-lab.js';
import { runMigrations } from '../migrations/data-source.js';
import { AppProcesses, freePort, healthy, sleep, waitFor } from './support/apps.js';
import { numberArg, type Bench, type BenchContext } from './support/bench.js';
import { createScratchDatabase } from './support/database.js';
import { describeMachine, loadAverage, machineMarkdown } from './support/machine.js';
import {
  benchmarksFile,
  formatDuration,
  formatNumber,
  markdownTable,
  writeSection,
} from './support/report.js';
import { BENCH_SENDER } from './support/pool-master-process.js';

/**
 * `npm run bench -- migration`: VM migration on real Open vSwitch (DESIGN §7: ≤ 100 ms of
 * ping loss, 0 moments with two forwarding ports). Three simulated hypervisors in network
 * namespaces (libs/vswitch's netns lab), each with its own userspace OVS and member-host
 * process; a pool master and a projection (the coordinator) as processes; VM X with an
 * instance on h1 and h2, pinged every 10 ms from a VM on h3 while it is migrated back and
 * forth through the master's REST API. Needs root, Open vSwitch, iproute2 and ping.
 */

const LOSS_TARGET_MS = 100;
const X = { mac: '02:00:00:00:07:07', ipv4: '10.10.0.7', ipv6: 'fd00::7' };
const PINGER = { mac: '02:00:00:00:07:03', ipv4: '10.10.0.3' };
const QOS = { ingressKbps: 20_000, ingressBurstKb: 2000, egressKbps: 20_000, egressBurstKb: 2000 };
const N10 = bridgeName('n10');
const XPORT = portName('x-0');

const log = (message: string) => console.error(message);

interface Migration {
  to: string;
  loss: LossWindow;
  /** ms no switch forwarded X (the switch-level outage), from the OVS monitors. */
  dark: number;
  doubles: number;
  /** ms from the source switch stopping to the Activated event's commit… */
  toActivated: number;
  /** …and from that commit to the target switch forwarding. */
  fromActivated: number;
  /** ms from the target forwarding to the physical switch sending X's traffic its way. */
  relearned: number;
  steps: { prepare: number; activate: number; complete: number };
}

function labAvailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root (network namespaces)';
  for (const tool of ['ovs-vsctl', 'ovs-ofctl', 'ovsdb-server', 'ovs-vswitchd', 'ip', 'ping']) {
    try {
      execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    } catch {
      return `needs ${tool} (apt-get install openvswitch-switch iproute2 iputils-ping)`;
    }
  }
  return undefined;
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length / 2;
  return sorted.length === 0
    ? NaN
    : sorted.length % 2
      ? sorted[Math.floor(mid)]!
      : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
const max = (values: number[]): number => Math.max(...values);

async function run(ctx: BenchContext): Promise<void> {
  const missing = labAvailable();
  if (missing) throw new Error(`the migration bench ${missing}`);
  const count = numberArg(ctx.args, 'migrations');
  const intervalMs = numberArg(ctx.args, 'interval-ms');
  const withQos = ctx.args.qos !== 'off';
  const natsUrl = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
  const began = performance.now();
  const load = { start: loadAverage(), end: '' };
  const suffix = randomBytes(3).toString('hex');
  const root = `bench${suffix}`;
  const eventsStream = `BENCH_EVENTS_${suffix.toUpperCase()}`;
  const reportsStream = `BENCH_REPORTS_${suffix.toUpperCase()}`;
  const pool = 'migration-bench';

  const database = await createScratchDatabase(ctx.databaseUrl);
  const nc: NatsConnection = await connect({ servers: natsUrl, name: 'bench-migration' });
  const db = new pg.Pool({ connectionString: database.url, max: 2 });
  const lab = new NetnsLab(`pb${process.pid % 100000}`);
  const stateRoot = await mkdtemp(join(tmpdir(), 'poolnet-bench-migration-'));
  const apps = new AppProcesses();
  let pinger: Pinger | undefined;
  let watch: ForwardingWatch | undefined;
  let fdb: SwitchFdbWatch | undefined;
  const common = {
    NATS_URL: natsUrl,
    SUBJECT_ROOT: root,
    EVENTS_STREAM: eventsStream,
    REPORTS_STREAM: reportsStream,
  };
  const command = async (type: string, data: unknown, extra: object = {}) => {
    const msg = await nc.request(
      subjects(root).command(pool, type, BENCH_SENDER),
      JSON.stringify({ data, ...extra }),
      {
        timeout: 60_000,
      },
    );
    const reply = msg.json<CommandReply>();
    if (!reply.ok) throw new Error(`${type}: ${reply.error.code} ${reply.error.message}`);
    return reply.result;
  };

  try {
    await runMigrations(database.url);
    const masterPort = await freePort();
    const master = apps.spawn('pool-master', {
      ...common,
      DATABASE_URL: database.url,
      PORT: String(masterPort),
      HOST: '127.0.0.1',
      GRPC_URL: 'off',
    });
    const masterBase = `http://127.0.0.1:${masterPort}`;
    await healthy(masterBase, master);
    await command('CreatePool', { poolId: pool, name: 'migration bench' });

    log('lab: three hosts, each a namespace with its own Open vSwitch and member host');
    await lab.start();
    const hostBases: string[] = [];
    for (const id of ['h1', 'h2', 'h3']) {
      const labHost = await lab.addHost(id, ['eth0']);
      const port = await freePort();
      const child = apps.spawn('member-host', {
        ...common,
        POOL_ID: pool,
        HOST_NAME: id,
        HOST_ADDRESS: `${id}.bench`,
        PORT: String(port),
        HOST: '127.0.0.1',
        STATE_DIR: join(stateRoot, id),
        DRIVER: 'ovs',
        OVS_RUN_DIR: labHost.runDir,
        NETNS: labHost.netns,
        PIF_DEVICES: 'eth0',
      });
      hostBases.push(`http://127.0.0.1:${port}`);
      await healthy(`http://127.0.0.1:${port}`, child);
    }
    for (const base of hostBases) {
      await waitFor(
        async () => ((await (await fetch(`${base}/status`)).json()) as { member: boolean }).member,
        `${base} to join`,
      );
    }
    const projectionPort = await freePort();
    const projection = apps.spawn('projection', {
      ...common,
      DATABASE_URL: database.url,
      PORT: String(projectionPort),
      HOST: '127.0.0.1',
    });
    await healthy(`http://127.0.0.1:${projectionPort}`, projection);

    const x1 = await lab.addVm('x-h1', 'h1', XPORT, X.mac, `${X.ipv4}/24`);
    const x2 = await lab.addVm('x-h2', 'h2', XPORT, X.mac, `${X.ipv4}/24`);
    const pingerNs = await lab.addVm(
      'pinger',
      'h3',
      portName('pinger-0'),
      PINGER.mac,
      '10.10.0.3/24',
    );
    // The VM's memory moves with it, ARP cache included.
    for (const ns of [x1, x2]) {
      await lab.exec(ns, [
        'ip',
        'neigh',
        'replace',
        PINGER.ipv4,
        'lladdr',
        PINGER.mac,
        'dev',
        'eth0',
      ]);
    }
    await command('CreateNetwork', {
      networkId: 'n10',
      name: 'n10',
      purpose: 'vm',
      kind: 'external',
      device: 'eth0',
      vlan: 10,
    });
    await command('CreateVm', { vmId: 'x', name: 'x' });
    await command('CreateVif', {
      vifId: 'x-0',
      vmId: 'x',
      device: 0,
      networkId: 'n10',
      ...X,
      qos: withQos ? QOS : null,
      portSecurity: true,
    });
    await command('CreateAclRule', {
      ruleId: 'no-ssh',
      scope: { kind: 'network', networkId: 'n10' },
      direction: 'from-vm',
      priority: 100,
      match: { protocol: 'tcp', portFrom: 22, portTo: 22 },
      action: 'drop',
    });
    await command('CreateVm', { vmId: 'pinger', name: 'pinger' });
    await command('CreateVif', {
      vifId: 'pinger-0',
      vmId: 'pinger',
      device: 0,
      networkId: 'n10',
      mac: PINGER.mac,
      ipv4: PINGER.ipv4,
    });
    const waitHosts = { wait: 'hosts', waitTimeoutMs: 120_000 };
    await command('StartVm', { vmId: 'x', hostId: 'h1' }, waitHosts);
    await command('StartVm', { vmId: 'pinger', hostId: 'h3' }, waitHosts);

    pinger = new Pinger(pingerNs, X.ipv4, intervalMs);
    await waitFor(() => pinger!.received >= 20, 'the pinger to reach X', 60_000);
    watch = await ForwardingWatch.start(lab, [
      { hostId: 'h1', bridge: N10, port: XPORT },
      { hostId: 'h2', bridge: N10, port: XPORT },
    ]);

    fdb = new SwitchFdbWatch(lab, X.mac);
    const results: Migration[] = [];
    let at = 'h1';
    for (let i = 0; i < count && !ctx.signal.aborted; i++) {
      const to = at === 'h1' ? 'h2' : 'h1';
      const measured = await migrateOnce(to);
      results.push(measured);
      at = to;
      log(
        `#${i + 1} ${to === 'h2' ? 'h1 → h2' : 'h2 → h1'}: reply gap ${ms(measured.loss.gapMs)} ms ` +
          `(first reply after it took ${ms(measured.loss.firstRttMs)} ms), ` +
          `lost ${measured.loss.lost} echoes; switches dark ${ms(measured.dark)} ms ` +
          `(source stop → Activated ${ms(measured.toActivated)} ms, → target forwards ` +
          `${ms(measured.fromActivated)} ms, → physical switch relearned ${ms(measured.relearned)} ms); ` +
          `${measured.doubles} doubles`,
      );
    }
    load.end = loadAverage();
    if (ctx.signal.aborted) return;
    const body = render({
      machine: machineMarkdown(await describeMachine(db, ctx.databaseUrl)),
      command: ctx.command,
      seconds: (performance.now() - began) / 1000,
      load,
      intervalMs,
      withQos,
      results,
      allDoubles: watch.doubles().length,
    });
    await writeSection(benchmarksFile(), 'migration', body);
    console.log(body);

    async function migrateOnce(to: string): Promise<Migration> {
      const from = Date.now();
      const response = await fetch(`${masterBase}/pools/${pool}/vms/x/migrate`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ toHostId: to }),
      });
      const outcome = (await response.json()) as {
        events?: { type: string; data: { migrationId: string } }[];
      };
      const id = outcome.events?.[0]?.data.migrationId;
      if (response.status !== 201 || !id) {
        throw new Error(`migrate refused: ${response.status} ${JSON.stringify(outcome)}`);
      }
      let times = new Map<string, number>();
      await waitFor(
        async () => {
          const { rows } = await db.query<{ type: string; at: Date }>(
            `SELECT event_type AS type, created_at AS at FROM es_events
              WHERE stream_id = $1 AND data->>'migrationId' = $2`,
            [`pool:${pool}`, id],
          );
          times = new Map(rows.map((r) => [r.type, r.at.getTime()]));
          if (times.has('MigrationAborted')) throw new Error(`migration ${id} aborted`);
          return times.has('MigrationCompleted');
        },
        `migration ${id} to complete`,
        120_000,
      );
      await sleep(500); // the first replies after the gap, and the last monitor events
      const until = Date.now();
      const t = (type: string) => times.get(type)!;
      const activated = t('MigrationActivated');
      const [source, target] = to === 'h2' ? [0, 1] : [1, 0];
      const monitors = watch!.monitors;
      const stopped = monitors[source]!.changes.filter(
        (c) => !c.forwarding && c.at >= from && c.at <= activated,
      )[0]?.at;
      const started = monitors[target]!.changes.find(
        (c) => c.forwarding && c.at >= activated - 50,
      )?.at;
      const relearned =
        started === undefined ? undefined : fdb!.firstMoveTo(lab.nicOf(to), started - 50);
      return {
        to,
        relearned: started === undefined || relearned === undefined ? NaN : relearned - started,
        loss: pinger!.lossBetween(from, until),
        dark: Math.max(0, ...watch!.darkGaps(from, until)),
        doubles: watch!.doubles(from, until).length,
        toActivated: stopped === undefined ? NaN : activated - stopped,
        fromActivated: started === undefined ? NaN : started - activated,
        steps: {
          prepare: t('MigrationPrepared') - t('MigrationRequested'),
          activate: activated - t('MigrationPrepared'),
          complete: t('MigrationCompleted') - activated,
        },
      };
    }
  } finally {
    await pinger?.stop();
    watch?.stop();
    fdb?.stop();
    for (const child of apps.children.reverse()) {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await Promise.race([exited, sleep(10_000)]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
    }
    await lab.stop();
    const jsm = await jetstreamManager(nc);
    for (const stream of [eventsStream, reportsStream]) {
      await jsm.streams.delete(stream).catch(() => undefined);
    }
    await nc.close();
    await db.end();
    await database.drop().catch(() => undefined);
    await rm(stateRoot, { recursive: true, force: true });
  }
}

const ms = (value: number) => formatNumber(value, 0);

function render(r: {
  machine: string;
  command: string;
  seconds: number;
  load: { start: string; end: string };
  intervalMs: number;
  withQos: boolean;
  results: Migration[];
  allDoubles: number;
}): string {
  const gaps = r.results.map((m) => m.loss.gapMs);
  const lost = r.results.map((m) => m.loss.lostMs);
  const dark = r.results.map((m) => m.dark);
  const toActivated = r.results.map((m) => m.toActivated).filter(Number.isFinite);
  const fromActivated = r.results.map((m) => m.fromActivated).filter(Number.isFinite);
  const relearned = r.results.map((m) => m.relearned).filter(Number.isFinite);
  const doubles = r.results.reduce((n, m) => n + m.doubles, 0);
  const row = (what: string, values: number[], target = '') => [
    what,
    ms(median(values)),
    ms(max(values)),
    target,
  ];
  const verdict = (ok: boolean) => (ok ? 'met' : 'not met');
  return [
    '## Migration (real Open vSwitch)',
    '',
    r.machine,
    `- Command: \`${r.command}\` (as root; DATABASE_URL and NATS_URL at the servers above); run time ${formatDuration(r.seconds)}`,
    `- 1-minute load average: ${r.load.start} at the start, ${r.load.end} at the end (other work on the machine skews every figure)`,
    '',
    `${r.results.length} migrations of VM X back and forth between h1 and h2, each through`,
    "`POST /pools/:pool/vms/x/migrate` and the projection's coordinator, on three simulated",
    'hypervisors (network namespaces, each with its own userspace Open vSwitch and member-host',
    'process, their NICs on one Linux bridge as the physical switch). X has an instance on both',
    `hosts with the same MAC and IP, port security, ACLs${r.withQos ? ' and QoS (20 Mbit/s policing and shaping)' : ' and no QoS'};`,
    `a VM on h3 pings it every ${r.intervalMs} ms (\`ping -D -O\`).`,
    'The outage is the longest gap between two echo replies across the migration, less one',
    'interval; lost echoes × interval is shown beside it. Both switches are followed by an OVSDB',
    'monitor (port and VLAN tag) and an OpenFlow flow monitor (its drop flow), so every change',
    'of either host is seen, not sampled: "dark" is how long neither forwarded X, split at the',
    "Activated event's commit (its `created_at`). The physical switch's forwarding database is",
    "followed too (`bridge monitor fdb`): the target's announcement moving X's MAC to the target's",
    'NIC ends the outage for the pinger, which sits behind another host.',
    '',
    markdownTable(
      ['per migration', 'median ms', 'max ms', 'target'],
      [
        row(
          'outage (longest reply gap − interval)',
          gaps,
          `≤ ${LOSS_TARGET_MS} ms: median ${verdict(median(gaps) <= LOSS_TARGET_MS)}, max ${verdict(max(gaps) <= LOSS_TARGET_MS)}`,
        ),
        row(`lost echoes × ${r.intervalMs} ms`, lost),
        row('no switch forwarding X (dark)', dark),
        row('… of which: source stopped → Activated committed', toActivated),
        row('… of which: Activated committed → target forwards', fromActivated),
        row('target forwards → physical switch relearned X (announce)', relearned),
        row(
          'requested → prepared (log)',
          r.results.map((m) => m.steps.prepare),
        ),
        row(
          'prepared → activated (log)',
          r.results.map((m) => m.steps.activate),
        ),
        row(
          'activated → completed (log)',
          r.results.map((m) => m.steps.complete),
        ),
      ],
    ),
    '',
    `Moments with two forwarding ports for X: **${doubles}** during the migrations, ${r.allDoubles} over the whole run (target 0: ${verdict(doubles === 0 && r.allDoubles === 0)}).`,
  ].join('\n');
}

export const migrationBench: Bench = {
  name: 'migration',
  description: 'VM migration on real Open vSwitch: ping loss and double forwarding (needs root)',
  options: {
    migrations: { type: 'string', default: '20', description: 'migrations to run' },
    'interval-ms': { type: 'string', default: '10', description: 'ping interval' },
    qos: {
      type: 'string',
      default: 'on',
      description: "X's QoS: on (policing and shaping) or off",
    },
  },
  run,
};
