import { mkdtemp, readFile, rm, appendFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { HostReport } from '@pool/contracts';
import { poolDecider, replayPool, serializePoolState, type PoolEvent } from '@pool/domain';
import { hostDigest } from '@pool/pool-topology';
import { digest, MemoryVSwitchDriver, portName, tunnelPortName } from '@pool/vswitch';
import { Datapath } from './datapath.js';
import { HostAgent, type AgentLog } from './host-agent.js';
import { StateStore } from './state-store.js';
import { FakeFeed, FakeSnapshots, POOL, poolEvents } from './testing/fake-feed.js';

const dirs: string[] = [];
const agents: { agent: HostAgent; abort: AbortController; running: Promise<void> }[] = [];
const quiet = { log: () => undefined, warn: () => undefined };

async function stopAll(): Promise<void> {
  for (const { agent, abort, running } of agents.splice(0)) {
    abort.abort();
    await running;
    await agent.stop();
  }
}

afterEach(async () => {
  await stopAll();
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function stateDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'member-host-spec-'));
  dirs.push(dir);
  return dir;
}

function makeAgent(
  dir: string,
  driver = new MemoryVSwitchDriver(),
  host = 'h1',
  log: AgentLog = quiet,
) {
  const store = new StateStore(dir, { pool: POOL, host, minCompactBytes: 1 << 30 });
  return new HostAgent({
    pool: POOL,
    host,
    store,
    datapath: new Datapath(driver, host),
    log,
  });
}

/** An agent on host h1 whose warnings the test reads. */
function warnedAgent(dir: string): { agent: HostAgent; warnings: string[] } {
  const warnings: string[] = [];
  const log = { log: () => undefined, warn: (m: string) => warnings.push(m) };
  return { agent: makeAgent(dir, new MemoryVSwitchDriver(), 'h1', log), warnings };
}

/** A host that already holds `version` (and read up to the same stream sequence). */
async function seed(dir: string, events: PoolEvent[], version: number): Promise<void> {
  const store = new StateStore(dir, { pool: POOL, host: 'h1' });
  await store.checkpoint({ state: replayPool(events.slice(0, version)), version, seq: version });
  await store.close();
}

/** Boots the agent and runs it against the fakes until the test ends. */
async function start(agent: HostAgent, feed: FakeFeed, snapshots: FakeSnapshots) {
  await agent.boot();
  const abort = new AbortController();
  const running = agent.run(feed, snapshots, abort.signal);
  agents.push({ agent, abort, running });
  return { abort, running };
}

async function until(check: () => boolean, what: string, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const atVersion = (agent: HostAgent, version: number) =>
  until(() => agent.applied?.version === version, `version ${version}`);

describe('HostAgent', () => {
  it('starts a new host from a snapshot, then follows what comes after', async () => {
    const events = poolEvents(4);
    const feed = new FakeFeed().publish(events, [1, 2, 3, 4, 5]);
    const snapshots = new FakeSnapshots(events, feed);
    const agent = makeAgent(await stateDir());
    await start(agent, feed, snapshots);
    await atVersion(agent, 5);
    feed.publish(
      events,
      events.slice(5).map((_, i) => i + 6),
    );
    await atVersion(agent, events.length);

    const truth = replayPool(events);
    expect(serializePoolState(agent.replica.state)).toEqual(serializePoolState(truth));
    expect(agent.applied?.digest).toBe(hostDigest(truth, 'h1'));
    expect(snapshots.served).toBe(1);
    expect(agent.stats.events).toBe(events.length - 5);
    expect(feed.acked).toEqual(feed.messages.slice(5).map((m) => m.seq));
  });
  it('applies each version once whatever the consumer delivers twice', async () => {
    const events = poolEvents(2);
    const n = events.length;
    const feed = new FakeFeed().publish(events);
    const dir = await stateDir();
    await seed(dir, events, 1);
    const first = makeAgent(dir);
    await start(first, feed, new FakeSnapshots(events, feed));
    await atVersion(first, n);
    await stopAll();

    // What a relay retry or a redelivery looks like: old versions, the newest one twice.
    feed.publish(events, [n - 1, 1, n, n, 2]);
    feed.script.push(feed.messages.slice(-5).map((m) => m.seq));
    const again = makeAgent(dir);
    const driver = again.datapath.driver as MemoryVSwitchDriver;
    await start(again, feed, new FakeSnapshots(events, feed));
    await until(() => again.stats.duplicates >= 5, 'the duplicates');
    expect(again.stats.events).toBe(0);
    expect(again.replica.version).toBe(n);
    expect(driver.applied.filter((ops) => ops.length > 0)).toHaveLength(1); // the boot converge
    expect(await readFile(join(dir, 'journal.ndjson'), 'utf8')).toBe(''); // nothing new to keep
  });
  it('acks a live event only once it is persisted, and leaves a gap un-acked', async () => {
    const events = poolEvents(2);
    const feed = new FakeFeed().publish(events, [1, 2, 3, 4]);
    const dir = await stateDir();
    await seed(dir, events, 1);
    const snapshots = new FakeSnapshots(events, feed);
    const agent = makeAgent(dir);
    await start(agent, feed, snapshots);
    await atVersion(agent, 4);
    expect(feed.acked).toEqual([]); // replayed in bulk, not delivered by the durable
    expect(feed.follows).toEqual([4]);

    // Live: 5 and 6 in order, then 8 while 7 never reached the stream.
    feed.publish(events, [5, 6, 8]);
    const [five, six, eight] = feed.messages.slice(-3).map((m) => m.seq);
    await atVersion(agent, 8);
    expect(feed.acked).toEqual([five, six]);
    expect(agent.stats.gaps).toBe(1);
    expect(agent.stats.events).toBe(5);
    expect(agent.replica.seq).toBe(eight);
    expect(agent.applied?.digest).toBe(hostDigest(replayPool(events.slice(0, 8)), 'h1'));
  });
  it('fetches a snapshot when a replay shows a gap, then goes on from there', async () => {
    const events = poolEvents(3);
    const feed = new FakeFeed().publish(events, [1, 2, 3, 4, 9, 10, 11, 12, 13]);
    const snapshots = new FakeSnapshots(events, feed);
    const dir = await stateDir();
    const agent = makeAgent(dir);
    // Not new: it already holds version 4 from an earlier life.
    const store = new StateStore(dir, { pool: POOL, host: 'h1' });
    await store.checkpoint({ state: replayPool(events.slice(0, 4)), version: 4, seq: 4 });
    await store.close();
    snapshots.version = 10;
    await start(agent, feed, snapshots);
    await atVersion(agent, 13);
    expect(agent.stats.gaps).toBe(1);
    expect(agent.stats.snapshots).toBe(1);
    expect(agent.stats.events).toBe(3); // 11, 12, 13: 9 and 10 came with the snapshot
    expect(agent.applied?.digest).toBe(hostDigest(replayPool(events.slice(0, 13)), 'h1'));
  });

  it('loads a snapshot when the stream no longer holds what the host last read', async () => {
    const events = poolEvents(2);
    const dir = await stateDir();
    const store = new StateStore(dir, { pool: POOL, host: 'h1' });
    await store.checkpoint({ state: replayPool(events.slice(0, 2)), version: 2, seq: 2 });
    await store.close();
    const feed = new FakeFeed().publish(events);
    feed.firstSeq = 7; // retention dropped 1..6
    const agent = makeAgent(dir);
    await start(agent, feed, new FakeSnapshots(events, feed));
    await atVersion(agent, events.length);
    expect(agent.stats.snapshots).toBe(1);
    expect(agent.stats.gaps).toBe(0);
  });

  it('boots from its state dir and converges the switch without master or stream', async () => {
    const events = poolEvents(4);
    const dir = await stateDir();
    const first = makeAgent(dir);
    const feed = new FakeFeed().publish(events);
    await start(first, feed, new FakeSnapshots(events, feed));
    await atVersion(first, events.length);
    await stopAll();

    // A new process with an empty switch: boot alone must rebuild it.
    const driver = new MemoryVSwitchDriver();
    const rebooted = makeAgent(dir, driver);
    await rebooted.boot();
    const truth = replayPool(events);
    expect(rebooted.replica.version).toBe(events.length);
    expect(digest(await driver.readActual())).toBe(hostDigest(truth, 'h1'));
    expect(rebooted.applied).toEqual({ version: events.length, digest: hostDigest(truth, 'h1') });
    await rebooted.stop();
  });

  it('ignores a torn last journal line and cuts it off', async () => {
    const events = poolEvents(1);
    const dir = await stateDir();
    await seed(dir, events, 1);
    const first = makeAgent(dir);
    const feed = new FakeFeed().publish(events, [1]);
    await start(first, feed, new FakeSnapshots(events, feed));
    await atVersion(first, 1);
    feed.publish(
      events,
      events.slice(1).map((_, i) => i + 2),
    ); // live: journaled one by one
    await atVersion(first, events.length);
    await stopAll();
    const journal = await readFile(join(dir, 'journal.ndjson'), 'utf8');
    expect(journal.trim().split('\n')).toHaveLength(events.length - 1);
    await appendFile(join(dir, 'journal.ndjson'), '{"v":99,"s":99,"e":{"ty');

    const store = new StateStore(dir, { pool: POOL, host: 'h1' });
    const loaded = await store.load();
    await store.close();
    expect(loaded?.version).toBe(events.length);
    expect(await readFile(join(dir, 'journal.ndjson'), 'utf8')).toBe(journal);
  });

  it('reports a version only once the switch has it, and retries a failed convergence', async () => {
    const events = poolEvents(2);
    const driver = new MemoryVSwitchDriver();
    const agent = makeAgent(await stateDir(), driver);
    const feed = new FakeFeed().publish(events.slice(0, 4));
    await start(agent, feed, new FakeSnapshots(events, feed));
    await atVersion(agent, 4);

    driver.failNextApplies(1);
    feed.publish(events, [5, 6, 7]);
    feed.script.push(feed.messages.slice(-3).map((m) => m.seq));
    const [current] = agents.splice(0);
    current!.abort.abort();
    await current!.running;
    const abort = new AbortController();
    const running = agent.run(feed, new FakeSnapshots(events, feed), abort.signal);
    agents.push({ agent, abort, running });
    await until(() => agent.replica.version === 7, 'the replica');
    // The replica moved on (persisted and acked); the switch caught up on the retry.
    await atVersion(agent, 7);
    expect(agent.datapath.lastError).toBeUndefined();
    expect(driver.applied.length).toBeGreaterThan(2);
  });

  it('repairs a port deleted by hand and reports it as drift', async () => {
    const events = poolEvents(3);
    const driver = new MemoryVSwitchDriver();
    const agent = makeAgent(await stateDir(), driver);
    const feed = new FakeFeed().publish(events);
    await start(agent, feed, new FakeSnapshots(events, feed));
    await atVersion(agent, events.length);
    expect(await agent.checkDrift()).toEqual([]);

    driver.drift.deletePort(portName('vif0'));
    const drift = await agent.checkDrift();
    expect(drift).toContainEqual({ kind: 'addPort', object: portName('vif0'), repaired: true });
    expect(digest(await driver.readActual())).toBe(hostDigest(replayPool(events), 'h1'));
    const report = await agent.report(true);
    expect(report.drift).toEqual(drift);
    expect(report.counters?.length).toBeGreaterThan(0);
    expect((await agent.report(false)).drift).toBeUndefined();
  });

  it('applies a version whose VIF has no device yet, reports it not plugged, and writes its port when the device appears', async () => {
    const events = poolEvents(1);
    const driver = new MemoryVSwitchDriver();
    const port = portName('vif0');
    driver.devices.unplug(port); // the hypervisor has not plugged vm0's NIC
    const agent = makeAgent(await stateDir(), driver);
    const feed = new FakeFeed().publish(events);
    await start(agent, feed, new FakeSnapshots(events, feed));

    // Applied, not failed: the version is reportable and nothing needs retrying or repairing.
    await atVersion(agent, events.length);
    expect(agent.datapath.lastError).toBeUndefined();
    expect(agent.report(false)).toMatchObject({
      appliedVersion: events.length,
      ports: [{ vif: 'vif0', ready: true, forwarding: false, plugged: false }],
    });
    expect(await agent.checkDrift()).toEqual([]);
    expect(driver.datapath.findPort(port)?.port.forwarding).toBe(false);

    // The device appears: the watch runs a pass, with no new event and no drift timer.
    const passes = driver.applied.length;
    driver.devices.plug(port);
    await until(() => driver.datapath.findPort(port)?.port.forwarding === true, 'forwarding');
    expect(driver.applied.length).toBe(passes + 1);
    expect(digest(await driver.readActual())).toBe(hostDigest(replayPool(events), 'h1'));
    expect((agent.report(false) as HostReport).ports).toEqual([
      { vif: 'vif0', ready: true, forwarding: true },
    ]);

    // Unplugged again (VM stopped by the hypervisor): its flows go, and it waits again.
    driver.devices.unplug(port);
    await until(() => driver.datapath.findPort(port)?.port.forwarding === false, 'the port reset');
    expect(driver.applied.at(-1)).toEqual([
      { kind: 'resetPort', bridge: expect.any(String), port, vifId: 'vif0', vmId: 'vm0' },
    ]);
    expect((agent.report(false) as HostReport).ports).toEqual([
      { vif: 'vif0', ready: true, forwarding: false, plugged: false },
    ]);
    expect(await agent.checkDrift()).toEqual([]);

    // And plugged again (the VM started anew): written as on a new port.
    driver.devices.plug(port);
    await until(() => driver.datapath.findPort(port)?.port.forwarding === true, 'forwarding');
    expect(digest(await driver.readActual())).toBe(hostDigest(replayPool(events), 'h1'));
  });

  it('reports the mirrors it takes part in, and why one copies nothing', async () => {
    // vif1 runs on h2, its monitor vif0 on h1, and no host declares a tunnel endpoint.
    const base = poolEvents(3);
    const state = replayPool(base);
    const mirror = poolDecider.decide(
      {
        type: 'CreateMirror',
        data: {
          mirrorId: 'm',
          source: { kind: 'vif', vifId: 'vif1' },
          direction: 'both',
          destinationVifId: 'vif0',
        },
        metadata: { now: '2025-01-02T03:04:05.000Z', actor: 'test' },
      },
      state,
    );
    const events = [...base, ...mirror];
    const agent = makeAgent(await stateDir());
    const feed = new FakeFeed().publish(events);
    await start(agent, feed, new FakeSnapshots(events, feed));
    await atVersion(agent, events.length);
    expect((agent.report(false) as HostReport).mirrors).toEqual([
      {
        mirror: 'm',
        state: 'inactive',
        monitorHost: 'h1',
        problems: [
          {
            code: 'NO_TUNNEL_ENDPOINT',
            message:
              'sources on host h2, monitor on host h1: host h2 and host h1 declare no tunnel endpoint',
            host: 'h2',
          },
        ],
      },
    ]);
  });

  /** An agent on h1 of a pool with an overlay network to h2, caught up. */
  async function overlayAgent(driver: MemoryVSwitchDriver): Promise<HostAgent> {
    const events = poolEvents(2, 'overlay');
    const agent = makeAgent(await stateDir(), driver);
    const feed = new FakeFeed().publish(events);
    await start(agent, feed, new FakeSnapshots(events, feed));
    await atVersion(agent, events.length);
    return agent;
  }

  it("reports each overlay network's tunnels: all applied, then the one a failed pass lacks", async () => {
    const driver = new MemoryVSwitchDriver();
    const agent = await overlayAgent(driver);
    expect((agent.report(false) as HostReport).tunnels).toEqual([
      { network: 'n10', vni: 1, expected: 1, applied: 1 },
    ]);

    // Deleted by hand, and the repair fails: the report names the host it lacks a tunnel to.
    driver.drift.deletePort(tunnelPortName('n10', 'h2'));
    driver.failNextApplies(1);
    await agent.checkDrift();
    expect((agent.report(false) as HostReport).tunnels).toEqual([
      { network: 'n10', vni: 1, expected: 1, applied: 0, missing: ['h2'] },
    ]);
    await agent.checkDrift();
    expect((await agent.report(true)).tunnels).toEqual([
      { network: 'n10', vni: 1, expected: 1, applied: 1 },
    ]);
  });

  it('names the remote hosts whose tunnel fails its liveness check, from the last full report on', async () => {
    const tunnel = tunnelPortName('n10', 'h2');
    /** A datapath whose tunnel to h2 has a BFD session in `state`. */
    const driver = new (class extends MemoryVSwitchDriver {
      state = 'down';
      tunnelLiveness() {
        const diagnostic = 'Control Detection Time Expired';
        return Promise.resolve(new Map([[tunnel, { state: this.state, diagnostic }]]));
      }
    })();
    const agent = await overlayAgent(driver);
    // Not read yet: the report after an applied event does not call the driver.
    expect((agent.report(false) as HostReport).tunnels).toEqual([
      { network: 'n10', vni: 1, expected: 1, applied: 1 },
    ]);
    const silent = { network: 'n10', vni: 1, expected: 1, applied: 1, unreachable: ['h2'] };
    expect((await agent.report(true)).tunnels).toEqual([silent]);
    // The reports between two full ones say what the last read found.
    expect((agent.report(false) as HostReport).tunnels).toEqual([silent]);
    driver.state = 'up';
    expect((await agent.report(true)).tunnels).toEqual([
      { network: 'n10', vni: 1, expected: 1, applied: 1 },
    ]);
  });

  it("sums each ACL rule's hits over the host's ports in the full report only", async () => {
    const events = poolEvents(3);
    const driver = new MemoryVSwitchDriver();
    driver.ruleCounters = () =>
      Promise.resolve([
        { port: 'p1', rule: 'r-drop', packets: 3, bytes: 294 },
        { port: 'p2', rule: 'r-drop', packets: 2, bytes: 196 },
        { port: 'p1', rule: 'r-allow', packets: 1, bytes: 74 },
      ]);
    const agent = makeAgent(await stateDir(), driver);
    const feed = new FakeFeed().publish(events);
    await start(agent, feed, new FakeSnapshots(events, feed));
    await atVersion(agent, events.length);
    expect((await agent.report(true)).aclCounters).toEqual([
      { rule: 'r-allow', packets: 1, bytes: 74 },
      { rule: 'r-drop', packets: 5, bytes: 490 },
    ]);
    expect((await agent.report(false)).aclCounters).toBeUndefined();
  });

  it('reports a flow written by hand on its bridge as drift: where, what, removed', async () => {
    const events = poolEvents(3);
    const driver = new MemoryVSwitchDriver();
    const agent = makeAgent(await stateDir(), driver);
    const feed = new FakeFeed().publish(events);
    await start(agent, feed, new FakeSnapshots(events, feed));
    await atVersion(agent, events.length);
    const [bridge] = (await driver.readActual()).bridges.map((b) => b.name);

    driver.drift.addFlow(bridge!, 'priority=65535 actions=NORMAL');
    const drift = await agent.checkDrift();
    expect(drift).toEqual([
      {
        kind: 'flow',
        object: bridge,
        bridge,
        change: 'added',
        flow: 'priority=65535 actions=NORMAL',
        repaired: true,
      },
    ]);
    expect(driver.foreign().flows).toEqual([]);
    expect((await agent.report(false)).drift).toEqual(drift);
    expect(await agent.checkDrift()).toEqual([]);
  });

  it('skips a message that is not an event of the pool and resyncs on the gap it leaves', async () => {
    const events = poolEvents(1);
    const feed = new FakeFeed().publish(events, [1, 2, 3]).junk().other();
    feed.publish(events, [5, 6]);
    const dir = await stateDir();
    await seed(dir, events, 1);
    const agent = makeAgent(dir);
    await start(agent, feed, new FakeSnapshots(events, feed));
    await atVersion(agent, 6);
    expect(agent.stats.gaps).toBe(1);
  });

  describe('a log behind the host (database recreated or restored from an older backup)', () => {
    /** A host that applied all of `events` from `feed` (seqs 1..n) and is stopped. */
    async function hostAtTheEnd(events: PoolEvent[], feed: FakeFeed) {
      const dir = await stateDir();
      const first = makeAgent(dir);
      await start(first, feed, new FakeSnapshots(events, feed));
      await atVersion(first, events.length);
      await stopAll();
      return dir;
    }

    const truthAt = (events: PoolEvent[], version: number) =>
      serializePoolState(replayPool(events.slice(0, version)));

    it('on the same stream: reports it, resynchronises from the snapshot and follows the new log', async () => {
      const events = poolEvents(3);
      const n = events.length;
      const feed = new FakeFeed().publish(events);
      const dir = await hostAtTheEnd(events, feed);

      // The master's database recreated: its log starts again, and the relay publishes 1..4
      // after the old log's messages; the master's snapshot is at 4.
      feed.publish(events, [1, 2, 3, 4]);
      const snapshots = new FakeSnapshots(events, feed);
      snapshots.version = 4;
      const { agent, warnings } = warnedAgent(dir);
      await start(agent, feed, snapshots);
      await atVersion(agent, 4);

      expect(agent.logBehind).toMatchObject({ hostVersion: n, logVersion: 4 });
      expect(agent.stats.logBehind).toBe(1);
      expect(warnings.join('\n')).toMatch(/behind this host's \d+.*Decision: discard/s);
      expect((await agent.report(false)).drift).toEqual([
        expect.objectContaining({ kind: 'log-behind', repaired: true }),
      ]);
      expect(serializePoolState(agent.replica.state)).toEqual(truthAt(events, 4));

      // The new log goes on: its versions 5 and 6 are applied, not skipped as duplicates.
      snapshots.version = undefined;
      feed.publish(events, [5, 6]);
      await atVersion(agent, 6);
      expect(serializePoolState(agent.replica.state)).toEqual(truthAt(events, 6));
      expect(agent.stats.logBehind).toBe(1);
    });

    it('on a recreated stream that ends before what the host read: the same', async () => {
      const events = poolEvents(3);
      const dir = await hostAtTheEnd(events, new FakeFeed().publish(events));
      const feed = new FakeFeed().publish(events, [1, 2, 3]);
      const agent = makeAgent(dir);
      await start(agent, feed, new FakeSnapshots(events, feed));
      await atVersion(agent, 3);
      expect(agent.logBehind).toMatchObject({ hostVersion: events.length, logVersion: 3 });
      feed.publish(events, [4]);
      await atVersion(agent, 4);
      expect(agent.replica.seq).toBe(4);
    });

    it('asks the master once about re-published old versions, and keeps its state when the log holds it', async () => {
      const events = poolEvents(2);
      const n = events.length;
      const feed = new FakeFeed().publish(events);
      const dir = await hostAtTheEnd(events, feed);
      feed.publish(events, [2, 3, 4]); // a relay re-publishing after its dedup window
      const snapshots = new FakeSnapshots(events, feed);
      const agent = makeAgent(dir);
      await start(agent, feed, snapshots);
      await until(() => agent.stats.duplicates >= 3, 'the duplicates');
      expect(agent.logBehind).toBeUndefined();
      expect(agent.replica.version).toBe(n);
      expect(snapshots.served).toBe(1);
      expect(agent.stats.events).toBe(0);
    });

    describe('another log (the database made anew, its log grown past the host)', () => {
      /** Publishes versions 5 and 6 on log-a, then runs a host from `dir` until it holds 6. */
      async function runToSixOnLogA(dir: string, feed: FakeFeed, events: PoolEvent[]) {
        feed.logId = 'log-a';
        feed.publish(events, [5, 6]);
        const snapshots = new FakeSnapshots(events, feed);
        const agent = makeAgent(dir);
        await start(agent, feed, snapshots);
        await atVersion(agent, 6);
        return { agent, snapshots };
      }

      /** The log id the stopped host's state directory holds. */
      async function savedLogId(dir: string): Promise<string | undefined> {
        await stopAll();
        return (await new StateStore(dir, { pool: POOL, host: 'h1' }).load())?.logId;
      }

      /** Another log's events: the same commands but the pool created under another name. */
      const otherLogEvents = (vms: number): PoolEvent[] =>
        poolEvents(vms).map((e) =>
          e.type === 'PoolCreated' ? { ...e, data: { ...e.data, name: 'made anew' } } : e,
        );

      it('says so, resynchronises from the snapshot whatever the versions, and follows the new log', async () => {
        const events = poolEvents(2);
        const feed = new FakeFeed();
        feed.logId = 'log-a';
        const dir = await hostAtTheEnd(events, feed.publish(events));
        const n = events.length;

        // The new log holds more versions than the host: by versions alone it looks like news.
        const fresh = otherLogEvents(4);
        feed.logId = 'log-b';
        feed.publish(fresh);
        const snapshots = new FakeSnapshots(fresh, feed);
        snapshots.version = fresh.length;
        const { agent, warnings } = warnedAgent(dir);
        await start(agent, feed, snapshots);
        await until(() => agent.otherLog !== undefined, 'the other log');
        await atVersion(agent, fresh.length);

        expect(fresh.length).toBeGreaterThan(n);
        expect(agent.otherLog).toMatchObject({
          hostLogId: 'log-a',
          logId: 'log-b',
          hostVersion: n,
          logVersion: fresh.length,
        });
        expect(agent.stats.otherLog).toBe(1);
        expect(agent.logBehind).toBeUndefined();
        expect(warnings.join('\n')).toMatch(/another one.*Decision: discard this host's state/s);
        expect((await agent.report(false)).drift).toEqual([
          expect.objectContaining({ kind: 'other-log', repaired: true }),
        ]);
        expect(serializePoolState(agent.replica.state)).toEqual(
          serializePoolState(replayPool(fresh)),
        );
        expect(agent.replica.logId).toBe('log-b');
        expect(await savedLogId(dir)).toBe('log-b');
      });

      it('a replica saved without a log id takes the first one it sees, without a resync', async () => {
        const events = poolEvents(2);
        const dir = await stateDir();
        await seed(dir, events, 4);
        const feed = new FakeFeed().publish(events, [1, 2, 3, 4]);
        const { agent, snapshots } = await runToSixOnLogA(dir, feed, events);
        expect(agent.replica.logId).toBe('log-a');
        expect(snapshots.served).toBe(0);
        expect(agent.otherLog).toBeUndefined();
        expect(await savedLogId(dir)).toBe('log-a');
      });

      it("skips a stray message of another log when the master follows the host's", async () => {
        const events = poolEvents(2);
        const feed = new FakeFeed();
        feed.logId = 'log-a';
        const dir = await hostAtTheEnd(events.slice(0, 4), feed.publish(events, [1, 2, 3, 4]));
        feed.logId = 'log-x';
        feed.publish(events, [1]);
        const { agent, snapshots } = await runToSixOnLogA(dir, feed, events);
        expect(snapshots.served).toBe(1);
        expect(agent.otherLog).toBeUndefined();
        expect(agent.replica.logId).toBe('log-a');
        expect(serializePoolState(agent.replica.state)).toEqual(truthAt(events, 6));
      });
    });
  });
});
