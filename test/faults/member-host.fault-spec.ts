/**
 * Faults on the member hosts' side, under a steady load of commands: a host SIGKILLed while it
 * applies events and started again from its state dir (also with overlay networks, their
 * tunnel meshes changing under the load); a host partitioned from NATS for longer
 * than the events stream keeps (it must come back through the master's snapshot); copies of
 * delivered events published again; a host whose wall clock jumps hours; and messages on the
 * events subject that are not events at all.
 */
import { randomUUID } from 'node:crypto';
import { headers as natsHeaders } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readReports, readSubject } from './support/consistency.js';
import { expectConsistent } from './support/expect-consistent.js';
import {
  EVENTS_STREAM,
  FaultStack,
  REPORTS_STREAM,
  SUBJECT_ROOT,
  type MemberHost,
} from './support/fault-stack.js';
import { sleep } from './support/local-process.js';
import { command, describeResult, Scenario } from './support/scenario.js';

let stack: FaultStack;

beforeAll(async () => {
  stack = await FaultStack.start();
});

afterAll(async () => {
  await stack?.close();
});

const eventsSubject = (pool: string) => `${SUBJECT_ROOT}.${pool}.events`;

async function until(check: () => Promise<boolean>, what: string, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** How many tunnels a host's memory switch holds now (its test hook reads the datapath). */
async function tunnelsOf(host: MemberHost): Promise<number> {
  const response = await fetch(`${host.app.base}/testing/datapath`);
  const state = (await response.json()) as { bridges: { tunnels?: unknown[] }[] };
  return state.bridges.reduce((sum, b) => sum + (b.tunnels?.length ?? 0), 0);
}

/** Overlay networks the pool's log created. */
async function overlaysCreated(pool: string): Promise<number> {
  const { rows } = await stack.sql.query<{ n: string }>(
    `SELECT count(*) AS n FROM es_events
      WHERE stream_id = $1 AND event_type = 'NetworkCreated' AND data->>'kind' = 'overlay'`,
    [`pool:${pool}`],
  );
  return Number(rows[0]!.n);
}

/** Sum of a counter in the hosts' /status `stats`. */
const stat = async (hosts: MemberHost[], key: string): Promise<number> =>
  (await Promise.all(hosts.map((h) => h.status()))).reduce(
    (sum, s: { stats: Record<string, number> }) => sum + (s.stats[key] ?? 0),
    0,
  );

/**
 * `count` RenamePool commands, two at a time (the live hosts keep up, so only the victim falls
 * out of the window): one event each, nothing for a host's switch to do.
 */
async function renames(pool: string, count: number): Promise<void> {
  let next = 0;
  const sender = async () => {
    while (next < count) {
      await command(stack, 'PATCH', `/pools/${pool}`, { name: `renamed ${next++}` });
    }
  };
  await Promise.all(Array.from({ length: 2 }, sender));
}

describe('member-host faults', () => {
  it('member host killed mid-apply and restarted', async () => {
    const s = await Scenario.start(stack, 'host kill');
    await s.run(2500, 40);
    await s.faultStarts();
    const victim = s.hosts[1]!;
    // Kill it while it is behind the head, that is with events being applied.
    let behind = 0;
    await until(async () => {
      const [head, status] = await Promise.all([s.head(), victim.status()]);
      behind = head - (status.version as number);
      return behind > 0;
    }, `${victim.name} to have events in hand`);
    victim.app.kill('SIGKILL');
    await victim.app.process.exited;
    await s.run(2000); // the pool moves on without it
    await victim.app.restart();
    await s.faultEnded();
    const after = await victim.status();
    await s.run(1500);
    const r = await s.finish();
    console.log(
      describeResult(r, {
        'versions the victim was behind when killed': behind,
        'victim after restart': `phase ${after.phase}, duplicates skipped ${after.stats.duplicates}, snapshots ${after.stats.snapshots}`,
      }),
    );
    expectConsistent(r);
    await stack.stopHosts(s.pool);
  });

  it('member host killed and restarted with overlay networks under load: the meshes reconverge', async () => {
    const s = await Scenario.start(stack, 'overlay kill', { overlay: true });
    await s.run(2500, 40);
    await s.faultStarts();
    const victim = s.hosts[1]!;
    const meshBefore = await tunnelsOf(victim);
    victim.app.kill('SIGKILL');
    await victim.app.process.exited;
    await s.run(2000); // VMs start, migrate and go on the overlays without it
    await victim.app.restart();
    await s.faultEnded();
    await s.run(1500);
    const r = await s.finish();
    // The digest every host reports, checked against the model's at every version, covers
    // each bridge's tunnels: a host at the head with the model's digest has the log's mesh.
    const reports = await readReports(stack.nc, REPORTS_STREAM, SUBJECT_ROOT, s.pool);
    const meshReports = reports.filter((rep) => rep.tunnels?.some((t) => t.expected > 0));
    const victimAfter = reports.filter((rep) => rep.host === victim.name && rep.tunnels?.length);
    const atRest = await Promise.all(s.hosts.map(tunnelsOf));
    const overlays = await overlaysCreated(s.pool);
    console.log(
      describeResult(r, {
        'overlay networks created': overlays,
        'tunnels on the victim when killed': meshBefore,
        'reports with tunnels (all hosts)': meshReports.length,
        "victim's reports with tunnels after the restart": victimAfter.length,
        'tunnels per host at rest': s.hosts.map((h, i) => `${h.name} ${atRest[i]}`).join(', '),
        'reports that lacked a tunnel': reports.filter((rep) => rep.tunnels?.some((t) => t.missing))
          .length,
      }),
    );
    expectConsistent(r);
    expect(overlays).toBeGreaterThan(1);
    expect(meshReports.length).toBeGreaterThan(0);
    expect(victimAfter.length).toBeGreaterThan(0);
    await stack.stopHosts(s.pool);
  });

  it('member host cut off past the JetStream retention window, then healed', async () => {
    const jsm = await jetstreamManager(stack.nc);
    // Per pool, far more than the hosts lag under the load, so only the victim falls out of it.
    // (FAULTS_RETENTION_KEEP=40 lets the live hosts fall out of it too: see the report.)
    const KEEP = Number(process.env.FAULTS_RETENTION_KEEP ?? 300);
    const config = (await jsm.streams.info(EVENTS_STREAM)).config;
    await jsm.streams.update(EVENTS_STREAM, { ...config, max_msgs_per_subject: KEEP });
    try {
      const s = await Scenario.start(stack, 'retention');
      await s.run(2000, 20);
      const victim = s.hosts[2]!;
      const cutAt = (await victim.status()).version as number;
      const snapshotsBefore = (await victim.status()).stats.snapshots as number;
      await s.faultStarts();
      victim.proxy.cut();
      // The pool moves on without the victim until the stream no longer holds the first event
      // it misses; renames besides the load, so that takes seconds whatever the load does.
      await renames(s.pool, 2 * KEEP);
      await until(async () => (await s.head()) > cutAt + 2 * KEEP, 'the pool to move on', 120_000);
      const retained = await readSubject(stack.nc, EVENTS_STREAM, eventsSubject(s.pool));
      victim.proxy.heal();
      await s.faultEnded();
      const after = await victim.status();
      await s.run(1500);
      const r = await s.finish();
      console.log(
        describeResult(r, {
          'victim cut at version': cutAt,
          'events the stream still held when healed': retained.length,
          'snapshots the victim loaded': after.stats.snapshots - snapshotsBefore,
        }),
      );
      // Retention dropped old versions from the stream; the log keeps them all.
      expectConsistent({ ...r, stream: { ...r.stream, missing: 0 } });
      expect(r.stream.missing).toBeGreaterThan(0);
      expect(after.stats.snapshots - snapshotsBefore).toBeGreaterThan(0);
      await stack.stopHosts(s.pool);
    } finally {
      await jsm.streams.update(EVENTS_STREAM, { ...config, max_msgs_per_subject: -1 });
    }
  });

  it('duplicated and re-delivered messages', async () => {
    const s = await Scenario.start(stack, 'duplicates');
    await s.run(2500, 40);
    const js = jetstream(stack.nc);
    const subject = eventsSubject(s.pool);
    const delivered = await readSubject(stack.nc, EVENTS_STREAM, subject);
    const copies = [...delivered.slice(0, 10), ...delivered.slice(-20)];
    await s.faultStarts();
    const before = await stat(s.hosts, 'duplicates');
    let brokerDropped = 0;
    for (const [i, m] of copies.entries()) {
      if (i % 3 === 0) {
        // With the event id as the message id, as the relay sends it: the broker drops it.
        const id = (JSON.parse(new TextDecoder().decode(m.data)) as { id: string }).id;
        if ((await js.publish(subject, m.data, { msgID: id })).duplicate) brokerDropped++;
      } else {
        // Without one: stored again, delivered again; hosts must skip it.
        const h = natsHeaders();
        h.set('Poolnet-Fault', 'copy');
        await js.publish(subject, m.data, { headers: h });
      }
      await sleep(20);
    }
    const stored = copies.length - brokerDropped;
    await s.faultEnded();
    await s.run(1500);
    const r = await s.finish();
    const skipped = (await stat(s.hosts, 'duplicates')) - before;
    console.log(
      describeResult(r, {
        'copies published': copies.length,
        'dropped by the broker (same message id)': brokerDropped,
        'stored again': stored,
        'copies skipped by the hosts (all hosts)': skipped,
      }),
    );
    expectConsistent({ ...r, stream: { ...r.stream, duplicates: r.stream.duplicates - stored } });
    expect(r.stream.duplicates).toBe(stored);
    expect(brokerDropped).toBe(Math.ceil(copies.length / 3));
    expect(skipped).toBeGreaterThanOrEqual(stored * s.hosts.length);
    await stack.stopHosts(s.pool);
  });

  it('a clock jump on one host', async () => {
    const s = await Scenario.start(stack, 'clock jump');
    await s.run(2000, 20);
    const victim = s.hosts[0]!;
    const HOUR = 3_600_000;
    await s.faultStarts();
    await victim.jumpClock(3 * HOUR);
    await s.run(2000);
    await victim.jumpClock(-3 * HOUR); // six hours back in one step
    await s.run(2000);
    // The convergence barrier still counts the host: it reports by version, not by time.
    const barrier = (await command(
      stack,
      'POST',
      `/pools/${s.pool}/vms?wait=hosts&timeoutMs=30000`,
      {
        name: 'after the jump',
      },
    )) as { version: number; hosts: Record<string, number> };
    await s.faultEnded();
    const r = await s.finish();
    const reports = await readSubject(
      stack.nc,
      'POOLNET_REPORTS',
      `${SUBJECT_ROOT}.${s.pool}.hosts.${victim.name}.reports`,
    );
    const last = JSON.parse(new TextDecoder().decode(reports.at(-1)!.data)) as { at: string };
    const offsetH = (Date.parse(last.at) - Date.now()) / HOUR;
    console.log(
      describeResult(r, {
        'clock of the victim': '+3 h, then -3 h (a 6 h step back)',
        'its last report is dated (hours from now)': offsetH.toFixed(2),
        'barrier answered with the victim at': barrier.hosts[victim.name],
      }),
    );
    expectConsistent(r);
    expect(offsetH).toBeLessThan(-2.9); // the jump took: the host's reports carry its clock
    expect(barrier.hosts[victim.name]).toBeGreaterThanOrEqual(barrier.version);
    await stack.stopHosts(s.pool);
  });

  it('malformed messages on the events subject are rejected, never applied', async () => {
    const s = await Scenario.start(stack, 'malformed');
    await s.run(2500, 40);
    const js = jetstream(stack.nc);
    const subject = eventsSubject(s.pool);
    const [real] = await readSubject(stack.nc, EVENTS_STREAM, subject);
    // Copies of a real envelope with one field broken, each under an id no event has.
    const base = JSON.parse(new TextDecoder().decode(real!.data)) as Record<string, unknown>;
    const envelope = (change: Record<string, unknown>) =>
      JSON.stringify({ ...base, id: randomUUID(), ...change });
    const malformed: (string | Uint8Array)[] = [
      'not JSON {',
      new Uint8Array([0xff, 0xfe, 0x00, 0x01]),
      '[1,2,3]',
      '"an event"',
      'null',
      '{}',
      envelope({ pool: 'another-pool' }),
      envelope({ version: 0 }),
      envelope({ version: 'next' }),
      envelope({ type: undefined }),
      envelope({ schemaVersion: 'x' }),
    ];
    await s.faultStarts();
    for (const payload of malformed) {
      await js.publish(subject, payload);
      await sleep(50);
    }
    await s.faultEnded();
    await s.run(1500);
    const r = await s.finish();
    const rejectedPerHost = s.hosts.map(
      (h) => (h.app.process.output().match(/skipped stream message/g) ?? []).length,
    );
    console.log(
      describeResult(r, {
        'malformed messages published': malformed.length,
        'rejections logged per host': rejectedPerHost.join(', '),
      }),
    );
    expectConsistent(r, { foreignMessages: malformed.length });
    // "Reported": each host logged each rejection (a warning; reports have no field for it).
    for (const n of rejectedPerHost) expect(n).toBeGreaterThanOrEqual(malformed.length);
    await stack.stopHosts(s.pool);
  });
});
