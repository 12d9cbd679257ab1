/**
 * Member hosts on the memory datapath, as real processes beside a pool master: they join,
 * follow the pool's log, and converge to exactly the switches the log describes for them.
 */
import { randomUUID } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostDigest } from '@pool/pool-topology';
import { digest, portName } from '@pool/vswitch';
import { startPool, until, type MemberHost, type TestPool } from './support/member-host-pool.js';

const pool = `mh-${randomUUID().slice(0, 8)}`;
let p: TestPool;
const host = (name: string): MemberHost => p.hosts.get(name)!;
const HOSTS = ['h1', 'h2', 'h3'];
const FAST = { DRIFT_INTERVAL_MS: '300' };

beforeAll(async () => {
  p = await startPool(pool);
  await p.ok('CreatePool', { poolId: pool, name: 'Member hosts' });
  await Promise.all(HOSTS.map((name) => p.startHost(name, FAST)));
  for (const name of HOSTS) {
    await until(async () => (await host(name).status()).member === true, `${name} to join`);
  }
});

afterAll(() => p?.close());

const network = (networkId: string, kind: object) =>
  p.ok('CreateNetwork', { networkId, name: networkId, purpose: 'vm', ...kind });

/** A VM with one VIF `<id>-0`, running on `hostId`. */
async function vm(id: string, hostId: string, networkId: string, vif: object = {}, extra = {}) {
  await p.ok('CreateVm', { vmId: id, name: id });
  await p.ok('CreateVif', { vifId: `${id}-0`, vmId: id, device: 0, networkId, ...vif });
  return p.ok('StartVm', { vmId: id, hostId }, extra);
}

const datapathDigest = async (h: MemberHost) =>
  digest((await (await fetch(`${h.base}/testing/datapath`)).json()) as never);

describe('member hosts on the memory datapath', () => {
  it('converge, each to the digest computed from the log for it', async () => {
    await network('n10', { kind: 'external', device: 'eth0', vlan: 10 });
    await network('n20', { kind: 'external', device: 'eth0', vlan: 20 });
    await network('priv', { kind: 'private' });
    const qos = { ingressKbps: 10_000, ingressBurstKb: 1000, egressKbps: 0, egressBurstKb: 0 };
    await vm('a', 'h1', 'n10', { ipv4: '10.0.10.1', portSecurity: true, qos });
    await vm('b', 'h2', 'n10', { ipv4: '10.0.10.2' });
    await vm('c', 'h3', 'n20');
    await vm('d', 'h1', 'priv');
    await vm('e', 'h1', 'priv');
    await p.ok('CreateAclRule', {
      ruleId: 'no-ssh',
      scope: { kind: 'network', networkId: 'n10' },
      direction: 'from-vm',
      priority: 100,
      match: { protocol: 'tcp', portFrom: 22 },
      action: 'drop',
    });
    await p.ok(
      'CreateMirror',
      {
        mirrorId: 'tap',
        source: { kind: 'vif', vifId: 'd-0' },
        direction: 'both',
        destinationVifId: 'e-0',
      },
      { wait: 'hosts' },
    );

    const { state, version } = await p.logState();
    const digests = new Set<string>();
    for (const name of HOSTS) {
      const { digest: expected } = await p.converged(host(name));
      expect(await datapathDigest(host(name))).toBe(expected);
      expect(expected).toBe(hostDigest(state, name));
      digests.add(expected);
      const last = (await p.reports(name)).at(-1);
      expect(last).toMatchObject({ pool, host: name, appliedVersion: version, digest: expected });
    }
    expect(digests.size).toBe(3); // different ports on each host, so different switches
  });

  it("makes `wait: 'hosts'` return once every host applied, and time out naming a stopped one", async () => {
    const reply = await p.command(
      'UpdateVif',
      { vifId: 'b-0', ipv4: '10.0.10.20' },
      { wait: 'hosts', waitTimeoutMs: 10_000 },
    );
    expect(reply.ok).toBe(true);
    if (!reply.ok) return;
    expect(Object.keys(reply.result.hosts ?? {}).sort()).toEqual(HOSTS);
    for (const applied of Object.values(reply.result.hosts ?? {})) {
      expect(applied).toBeGreaterThanOrEqual(reply.result.version);
    }

    await host('h3').stop();
    const timedOut = await p.command(
      'CreateVm',
      { vmId: 'w1', name: 'w1' },
      { wait: 'hosts', waitTimeoutMs: 1_500 },
    );
    expect(timedOut).toMatchObject({
      ok: false,
      error: { code: 'CONVERGENCE_TIMEOUT', details: { behind: [{ host: 'h3' }] } },
    });
    await p.startHost('h3', FAST);
    await p.converged(host('h3'));
  });

  it('a host killed during 1,000 commands boots from its state dir alone, then catches up', async () => {
    const before = (await host('h3').status()).stats;
    // 250 VMs of 4 commands each, 8 clients at a time: 1,000 commands.
    let next = 0;
    let sent = 0;
    const lane = async () => {
      for (let n = next++; n < 250; n = next++) {
        const id = `burst-${n}`;
        await p.ok('CreateVm', { vmId: id, name: id });
        await p.ok('CreateVif', { vifId: `${id}-0`, vmId: id, device: 0, networkId: 'n20' });
        await p.ok('StartVm', { vmId: id, hostId: HOSTS[n % 3] });
        await p.ok('UpdateVif', { vifId: `${id}-0`, portSecurity: true });
        sent += 4;
        if (n === 50) host('h3').kill(); // mid-burst, perhaps mid-apply
      }
    };
    await Promise.all(Array.from({ length: 8 }, lane));
    expect(sent).toBe(1000);
    await host('h3').running.exit;

    // Without NATS (nor the master's help): the host converges its switch from its state dir.
    const offline = await p.startHost('h3', { NATS_URL: 'nats://127.0.0.1:1' }, { healthy: false });
    const status = await offline.status();
    expect(status.phase).toBe('offline');
    const persisted = status.version as number;
    expect(persisted).toBeGreaterThan(0);
    const then = await p.logState(persisted);
    expect(then.version).toBe(persisted);
    expect(status.applied).toEqual({ version: persisted, digest: hostDigest(then.state, 'h3') });
    expect(await datapathDigest(offline)).toBe(hostDigest(then.state, 'h3'));
    offline.kill();
    await offline.running.exit;

    const back = await p.startHost('h3', FAST);
    const { version } = await p.converged(back, 60_000);
    const after = (await back.status()).stats;
    // Each missing version applied exactly once by this process, nothing twice.
    expect(after.events).toBe(version - persisted);
    expect(before.events).toBeGreaterThan(0);
    for (const name of ['h1', 'h2']) await p.converged(host(name));
  });

  it('skips duplicated and re-delivered events: nothing changes', async () => {
    const before = await Promise.all(HOSTS.map((name) => host(name).status()));
    const { version } = await p.logState();
    // What a relay that republished old batches after the dedupe window looks like: events the
    // hosts hold, again, under new message ids.
    const messages = (await p.nats.readStream(p.nats.eventsStream)).filter(
      (m) => m.subject === `${p.nats.root}.${pool}.events`,
    );
    const copies = [messages[0]!, messages[1]!, messages.at(-2)!, messages.at(-1)!];
    for (const m of copies) {
      await p.nats.js.publish(m.subject, m.data, { msgID: randomUUID() });
    }
    for (const [i, name] of HOSTS.entries()) {
      await until(
        async () => (await host(name).status()).stats.duplicates >= before[i].stats.duplicates + 4,
        `${name} to see the copies`,
      );
      const now = await host(name).status();
      expect(now.version).toBe(version);
      expect(now.applied).toEqual(before[i].applied);
      expect(now.stats.events).toBe(before[i].stats.events);
      expect(now.stats.gaps).toBe(before[i].stats.gaps);
    }
    // And the next real event still applies everywhere.
    await p.ok('RenamePool', { name: 'Member hosts, renamed' }, { wait: 'hosts' });
    for (const name of HOSTS) await p.converged(host(name));
  });

  it('repairs a port deleted by hand and reports the drift', async () => {
    const h1 = host('h1');
    const port = portName('a-0');
    const { digest: expected } = await p.converged(h1);
    const res = await fetch(`${h1.base}/testing/drift`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ action: 'deletePort', port }),
    });
    expect(res.status).toBe(204);

    await until(
      async () =>
        (await p.reports('h1')).some((r) =>
          r.drift?.some((d) => d.kind === 'addPort' && d.object === port && d.repaired),
        ),
      'a drift report',
    );
    expect(await datapathDigest(h1)).toBe(expected);
    expect((await h1.status()).stats.driftRepairs).toBeGreaterThan(0);
    const metrics = await (await fetch(`${h1.base}/metrics`)).text();
    expect(metrics).toMatch(/poolnet_member_drift_repairs_total\{[^}]*\} [1-9]/);
  });

  it('re-creates its durable consumer when someone deletes it, and misses nothing', async () => {
    const jsm = await jetstreamManager(p.nats.nc);
    await jsm.consumers.delete(p.nats.eventsStream, `member-${pool}-h2`);
    await p.ok('CreateVm', { vmId: 'after-delete', name: 'after-delete' });
    await p.converged(host('h2'));
    // The host catches up first (by replay), then re-creates its durable where it stands.
    await until(
      () =>
        jsm.consumers.info(p.nats.eventsStream, `member-${pool}-h2`).then(
          () => true,
          () => false,
        ),
      'the durable consumer re-created',
    );
    const info = await jsm.consumers.info(p.nats.eventsStream, `member-${pool}-h2`);
    expect(info.config).toMatchObject({ ack_policy: 'explicit', max_ack_pending: 1 });
  });

  it('loads a snapshot from the master when the stream no longer holds what it missed', async () => {
    const h1 = host('h1');
    await h1.stop();
    await p.ok('CreateVm', { vmId: 'while-away', name: 'while-away' });
    await p.ok('CreateVif', {
      vifId: 'while-away-0',
      vmId: 'while-away',
      device: 0,
      networkId: 'priv',
    });
    await p.ok('StartVm', { vmId: 'while-away', hostId: 'h1' });
    // Retention: the events stream drops everything of the pool so far.
    const jsm = await jetstreamManager(p.nats.nc);
    await jsm.streams.purge(p.nats.eventsStream, { filter: `${p.nats.root}.${pool}.events` });

    const back = await p.startHost('h1', FAST);
    await p.converged(back);
    expect((await back.status()).stats.snapshots).toBe(1);
    await p.ok('RenameVm', { vmId: 'while-away', name: 'back' });
    await p.converged(back);
  });
});
