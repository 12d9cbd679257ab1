/**
 * The proof on real Open vSwitch (DESIGN §5, §7): three simulated hypervisors, each a network
 * namespace with its own userspace OVS and member host; VM X has an instance on both h1 and
 * h2 (same MAC and IP: the lab's stand-in for the hypervisor moving it), a pinger VM on h3
 * pings it every 10 ms throughout. X is migrated through the master's REST API and the
 * projection's coordinator while both hosts' switches are sampled: a VIF must never forward
 * on two hosts at once, and its addressing must come through unchanged.
 */
import { randomUUID } from 'node:crypto';
import { bridgeName, portName, type Port } from '@pool/vswitch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ForwardingWatch,
  Pinger,
  portForwards,
  type LossWindow,
} from '../../libs/vswitch/src/testing/migration-probe.js';
import { NetnsLab } from '../../libs/vswitch/src/testing/netns-lab.js';
import { startPool, until, type TestPool } from './support/member-host-pool.js';
import {
  migrate,
  migrationIdOf,
  sagaEvents,
  startProjection,
  waitForSaga,
  type ProjectionProcess,
} from './support/migration-pool.js';
import { missingOvsLab, realPart } from '../support/real-part.js';

const ovs = realPart(
  'Open vSwitch',
  missingOvsLab(['ovs-vsctl', 'ovs-ofctl', 'ovsdb-server', 'ip', 'ping', 'bridge']),
);

const X = { mac: '02:00:00:00:07:07', ipv4: '10.10.0.7', ipv6: 'fd00::7' };
const PINGER = { mac: '02:00:00:00:07:03', ipv4: '10.10.0.3' };
const QOS = { ingressKbps: 20_000, ingressBurstKb: 2000, egressKbps: 20_000, egressBurstKb: 2000 };
const ABORT_AFTER_MS = 5_000;
const N10 = bridgeName('n10');
const XPORT = portName('x-0');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.skipIf(ovs.skip)('VM migration on real Open vSwitch', () => {
  beforeAll(() => ovs.assertPresent());
  const pool = `movs-${randomUUID().slice(0, 8)}`;
  const lab = new NetnsLab(`pg${process.pid % 100000}`);
  const ns: Record<string, string> = {};
  const hostEnv: Record<string, Record<string, string>> = {};
  let p: TestPool;
  let projection: ProjectionProcess;
  let pinger: Pinger;
  let watch: ForwardingWatch;

  beforeAll(async () => {
    p = await startPool(pool);
    await lab.start();
    await p.ok('CreatePool', { poolId: pool, name: 'OVS migration pool' });
    for (const id of ['h1', 'h2', 'h3']) {
      const labHost = await lab.addHost(id, ['eth0']);
      hostEnv[id] = {
        DRIVER: 'ovs',
        OVS_RUN_DIR: labHost.runDir,
        NETNS: labHost.netns,
        PIF_DEVICES: 'eth0',
      };
      await p.startHost(id, hostEnv[id]);
    }
    for (const h of p.hosts.values()) {
      await until(async () => (await h.status()).member === true, `${h.name} to join`);
    }
    projection = await startProjection(p, { MIGRATION_TIMEOUT_MS: String(ABORT_AFTER_MS) });

    // X's two instances: the hypervisor's copy on each side. Its memory moves with it, ARP
    // cache included, so both know the pinger's address already.
    ns.x1 = await lab.addVm('x-h1', 'h1', XPORT, X.mac, `${X.ipv4}/24`);
    ns.x2 = await lab.addVm('x-h2', 'h2', XPORT, X.mac, `${X.ipv4}/24`);
    ns.pinger = await lab.addVm('pinger', 'h3', portName('pinger-0'), PINGER.mac, '10.10.0.3/24');
    for (const instance of [ns.x1, ns.x2]) {
      await lab.exec(instance, [
        'ip',
        'neigh',
        'replace',
        PINGER.ipv4,
        'lladdr',
        PINGER.mac,
        'dev',
        'eth0',
        'nud',
        'permanent',
      ]);
    }

    await p.ok('CreateNetwork', {
      networkId: 'n10',
      name: 'n10',
      purpose: 'vm',
      kind: 'external',
      device: 'eth0',
      vlan: 10,
    });
    await p.ok('CreateAclRule', {
      ruleId: 'no-ssh',
      scope: { kind: 'network', networkId: 'n10' },
      direction: 'from-vm',
      priority: 100,
      match: { protocol: 'tcp', portFrom: 22, portTo: 22 },
      action: 'drop',
    });
    await p.ok('CreateVm', { vmId: 'x', name: 'x' });
    await p.ok('CreateVif', {
      vifId: 'x-0',
      vmId: 'x',
      device: 0,
      networkId: 'n10',
      ...X,
      qos: QOS,
      portSecurity: true,
    });
    await p.ok('CreateAclRule', {
      ruleId: 'x-icmp',
      scope: { kind: 'vif', vifId: 'x-0' },
      direction: 'to-vm',
      priority: 200,
      match: { protocol: 'icmp' },
      action: 'allow',
    });
    await p.ok('CreateVm', { vmId: 'pinger', name: 'pinger' });
    await p.ok('CreateVif', {
      vifId: 'pinger-0',
      vmId: 'pinger',
      device: 0,
      networkId: 'n10',
      mac: PINGER.mac,
      ipv4: PINGER.ipv4,
    });
    await p.ok('StartVm', { vmId: 'x', hostId: 'h1' }, { wait: 'hosts', waitTimeoutMs: 60_000 });
    await p.ok('StartVm', { vmId: 'pinger', hostId: 'h3' }, { wait: 'hosts' });
    for (const h of p.hosts.values()) await p.converged(h, 60_000);

    pinger = new Pinger(ns.pinger, X.ipv4, 10);
    await until(() => pinger.received >= 20, 'the pinger to reach X');
    watch = await ForwardingWatch.start(lab, [
      { hostId: 'h1', bridge: N10, port: XPORT },
      { hostId: 'h2', bridge: N10, port: XPORT },
    ]);
  }, 300_000);

  afterAll(async () => {
    await pinger?.stop();
    watch?.stop();
    await p?.close(); // member hosts first, so none rebuilds a switch being torn down
    await lab.stop();
  });

  /** X's addressing and policy as the log has them. */
  async function addressing() {
    const { state } = await p.logState();
    return {
      vif: state.vifs.get('x-0'),
      acls: [...state.aclRules.values()],
      resident: state.vms.get('x')?.residentHostId,
    };
  }

  /** X's port as a host's switch really has it (read back from OVSDB and OpenFlow). */
  async function xPortOn(hostId: string): Promise<Port | undefined> {
    const actual = await lab.host(hostId).driver.readActual();
    return actual.bridges.flatMap((b) => b.ports).find((port) => port.name === XPORT);
  }

  interface Measured {
    id: string;
    loss: LossWindow;
    /** Saga step durations from the log's commit times, ms. */
    steps: { prepare: number; activate: number; complete: number };
    doubles: number;
    /** How long no switch forwarded X during the handover, as the monitors saw it (ms). */
    dark: number;
  }

  /** Migrates X to `to` through REST and measures what the pinger and the watch saw. */
  async function migrateX(to: string): Promise<Measured> {
    const from = Date.now();
    const { status, body } = await migrate(p, pool, 'x', to);
    expect(status, JSON.stringify(body)).toBe(201);
    const id = migrationIdOf(body);
    const events = await waitForSaga(p, pool, id, 'MigrationCompleted', 60_000);
    await sleep(400); // the replies after the gap, and the last samples
    const until_ = Date.now();
    const at = (type: string) => events.find((e) => e.type === type)!.createdAt.getTime();
    return {
      id,
      loss: pinger.lossBetween(from, until_),
      steps: {
        prepare: at('MigrationPrepared') - at('MigrationRequested'),
        activate: at('MigrationActivated') - at('MigrationPrepared'),
        complete: at('MigrationCompleted') - at('MigrationActivated'),
      },
      doubles: watch.doubles(from, until_).length,
      dark: Math.max(0, ...watch.darkGaps(from, until_)),
    };
  }

  /** The monitors' view must be what the switches say when read back: they watch the truth. */
  async function monitorsAgreeWithSwitches() {
    for (const monitor of watch.monitors) {
      expect(monitor.forwarding, monitor.watched.hostId).toBe(
        await portForwards(lab, monitor.watched),
      );
    }
  }

  const ms = (value: number) => Math.round(value);
  const describeLoss = (m: Measured) =>
    `lost ${m.loss.lost}/${m.loss.sent} echoes (${m.loss.lostMs} ms), longest gap ${ms(m.loss.gapMs)} ms; ` +
    `steps prepare ${m.steps.prepare} ms, activate ${m.steps.activate} ms, complete ${m.steps.complete} ms; ` +
    `no switch forwarding for ${ms(m.dark)} ms, ${m.doubles} moments with two forwarding ports`;

  it('moves X from h1 to h2 under ping with one forwarding port at a time and the same addressing', async () => {
    const before = await addressing();
    const portBefore = await xPortOn('h1');
    expect(portBefore?.forwarding).toBe(true);
    expect(await portForwards(lab, { hostId: 'h2', bridge: N10, port: XPORT })).toBe(false);

    // The address registry of the projection, observed throughout the move.
    const registry: string[][] = [];
    let observing = true;
    const observer = (async () => {
      while (observing) {
        const response = await fetch(
          `${projection.base}/api/pools/${pool}/addresses?mac=${X.mac}`,
        ).catch(() => undefined);
        if (response?.ok) {
          const { items } = (await response.json()) as { items: { hostId: string | null }[] };
          registry.push([...new Set(items.map((item) => item.hostId ?? 'none'))]);
        }
        await sleep(20);
      }
    })();

    const measured = await migrateX('h2');
    console.log(`h1 → h2: ${describeLoss(measured)}`);

    expect(measured.doubles).toBe(0);
    expect(measured.dark).toBeGreaterThan(0); // the watch saw the handover, source first
    await monitorsAgreeWithSwitches();
    // The pinger got X back, on h2: the announcement moved the physical switch at once.
    expect(measured.loss.gapMs).toBeLessThan(5_000);
    expect(await lab.switchPortOf(X.mac)).toBe(lab.nicOf('h2'));

    const after = await addressing();
    expect(after).toEqual({ ...before, resident: 'h2' });
    await p.converged(p.hosts.get('h1')!);
    await p.converged(p.hosts.get('h2')!);
    expect(await xPortOn('h1')).toBeUndefined();
    expect(await xPortOn('h2')).toEqual(portBefore); // MAC, IPs, QoS, security, ACLs, forwarding

    // The registry points at h2 once Completed is in the log, and never at two hosts.
    await until(() => registry.at(-1)?.join() === 'h2', 'the address registry to show h2', 20_000);
    observing = false;
    await observer;
    expect(registry.every((hosts) => hosts.length === 1)).toBe(true);
    const moves = registry.map((hosts) => hosts[0]).filter((h, i, all) => h !== all[i - 1]);
    expect(moves).toEqual(['h1', 'h2']);
  });

  it('migrates X back and forth 20 times: no addressing change, never two forwarding ports', async () => {
    const before = await addressing();
    const results: Measured[] = [];
    let at = before.resident;
    for (let i = 0; i < 20; i++) {
      const to = at === 'h1' ? 'h2' : 'h1';
      const measured = await migrateX(to);
      at = to;
      console.log(`#${i + 1} → ${to}: ${describeLoss(measured)}`);
      results.push(measured);
      const now = await addressing();
      expect({ vif: now.vif, acls: now.acls }).toEqual({ vif: before.vif, acls: before.acls });
      expect(now.resident).toBe(to);
      await monitorsAgreeWithSwitches();
    }
    const sorted = (values: number[]) => [...values].sort((a, b) => a - b);
    const gaps = sorted(results.map((r) => r.loss.gapMs));
    const lost = sorted(results.map((r) => r.loss.lostMs));
    console.log(
      `20 migrations: loss (longest reply gap) median ${ms(gaps[10]!)} ms, max ${ms(gaps.at(-1)!)} ms; ` +
        `lost echoes × 10 ms median ${lost[10]} ms, max ${lost.at(-1)} ms; ` +
        `dark handover median ${ms(sorted(results.map((r) => r.dark))[10]!)} ms; ` +
        `${watch.changeCount} forwarding changes seen`,
    );
    expect(results.reduce((n, r) => n + r.doubles, 0)).toBe(0);
    expect(watch.doubles()).toEqual([]);
    expect(results.every((r) => r.loss.gapMs < 5_000)).toBe(true);
  }, 600_000);

  it('removes a stale pending port left on the switch of a target that died before the abort', async () => {
    const source = (await addressing()).resident!;
    const target = source === 'h1' ? 'h2' : 'h1';
    const sourceHost = p.hosts.get(source)!;
    // Holds the saga before activation until it aborts: activation needs the source's word that
    // it stopped forwarding. (The target may confirm its ports at `prepared` before it dies, and
    // a fast one does: a source let go before the abort would then see the VM activated on the
    // dead target, the window next-step.ts describes.)
    sourceHost.running.child.kill('SIGSTOP');
    let id = '';
    let events: Awaited<ReturnType<typeof waitForSaga>>;
    try {
      const { body } = await migrate(p, pool, 'x', target);
      id = migrationIdOf(body);
      await until(
        async () => (await xPortOn(target)) !== undefined,
        `the pending port on ${target}`,
      );
      p.hosts.get(target)!.kill();
      await p.hosts.get(target)!.running.exit;
      events = await waitForSaga(p, pool, id, 'MigrationAborted', ABORT_AFTER_MS + 30_000);
    } finally {
      sourceHost.running.child.kill('SIGCONT');
    }
    expect(events.map((e) => e.type)).not.toContain('MigrationActivated');
    expect((await addressing()).resident).toBe(source);
    // The dead host's switch still holds the binding, pending: it never forwarded.
    expect((await xPortOn(target))?.forwarding).toBe(false);
    await p.converged(sourceHost);
    expect((await xPortOn(source))?.forwarding).toBe(true);
    const answered = pinger.received;
    await until(() => pinger.received > answered + 10, 'X to answer the pinger on the source');

    const back = await p.startHost(target, hostEnv[target]);
    await p.converged(back, 60_000);
    expect(await xPortOn(target)).toBeUndefined();
    expect((await sagaEvents(p, pool, id)).at(-1)?.type).toBe('MigrationAborted');
    expect(watch.doubles()).toEqual([]);
  });
});
