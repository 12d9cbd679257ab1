import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  poolDecider,
  replayPool,
  type PoolCommand,
  type PoolCommandType,
  type PoolEvent,
} from '@pool/domain';
import { hostDigest } from '@pool/pool-topology';
import { MemoryVSwitchDriver } from '@pool/vswitch';
import { Datapath } from './datapath.js';
import { HostAgent } from './host-agent.js';
import { NetworkHoldFile } from './network-hold.js';
import { NetworkWatchdog } from './network-watchdog.js';
import { ResolverFile } from './resolver-file.js';
import { StateStore } from './state-store.js';
import { FakeFeed, FakeSnapshots, POOL, poolEvents } from './testing/fake-feed.js';

const quiet = { log: () => undefined, warn: () => undefined };
const cleanup: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

const cmd = <T extends PoolCommandType>(type: T, data: Extract<PoolCommand, { type: T }>['data']) =>
  ({ type, data, metadata: { now: '2026-01-01T00:00:00.000Z', actor: 'test' } }) as PoolCommand;

/** `events` followed by what `commands` decide on top of them. */
function decided(events: PoolEvent[], ...commands: PoolCommand[]): PoolEvent[] {
  const state = replayPool(events);
  const out = [...events];
  for (const c of commands) {
    for (const event of poolDecider.decide(c, state)) {
      poolDecider.evolve(state, event);
      out.push(event);
    }
  }
  return out;
}

/** The fixture pool (its network on eth0) with h3, which has eth0 and eth1. */
const withH3 = (): PoolEvent[] =>
  decided(
    poolEvents(1),
    cmd('JoinHost', {
      hostId: 'h3',
      name: 'h3',
      address: 'h3',
      managementDevice: 'eth1',
      pifs: ['eth0', 'eth1'].map((device, i) => ({
        device,
        mac: `00:16:3e:00:03:0${i}`,
        mtu: 1500,
        speedMbps: 1000,
        carrier: true,
      })),
    }),
  );

/** A VLAN network on eth1: every host with eth1 puts it into an uplink bridge. */
const onEth1 = cmd('CreateNetwork', {
  networkId: 'n99',
  name: 'ninety-nine',
  purpose: 'vm',
  kind: 'external',
  device: 'eth1',
  vlan: 99,
});

/**
 * Host h3, whose memory datapath says its NATS traffic leaves by `pathDevice`: the watchdog's
 * probe fails while that NIC is in a bridge, as a real host's NATS connection would.
 */
function host(
  dir: string,
  pathDevice: string,
  boundMs = 150,
  resolver?: ResolverFile,
  /** Also fails the probe, as a NATS URL by name fails with a resolver that cannot answer. */
  unresolved: () => Promise<boolean> = () => Promise.resolve(false),
) {
  const driver = new MemoryVSwitchDriver();
  driver.managementPath.leavesBy(pathDevice);
  const probes = { count: 0 };
  const watchdog = new NetworkWatchdog(async () => {
    probes.count++;
    if (driver.managementPath.isCut) throw new Error('cut off');
    if (await unresolved()) throw new Error('getaddrinfo EAI_AGAIN nats.pool.example');
  }, boundMs);
  const rollbacks: number[] = [];
  const agent = new HostAgent({
    pool: POOL,
    host: 'h3',
    store: new StateStore(dir, { pool: POOL, host: 'h3' }),
    datapath: new Datapath(driver, 'h3', resolver),
    log: quiet,
    watchdog,
    holdFile: new NetworkHoldFile(dir),
    onRollback: (hold) => rollbacks.push(hold.refusedVersion),
  });
  return { agent, driver, probes, rollbacks };
}

async function run(agent: HostAgent, feed: FakeFeed, events: PoolEvent[]) {
  await agent.boot();
  const abort = new AbortController();
  const running = agent.run(feed, new FakeSnapshots(events, feed), abort.signal);
  cleanup.push(async () => {
    abort.abort();
    await running;
    await agent.stop();
  });
}

async function until(check: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function stateDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'member-host-watchdog-'));
  cleanup.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

const versions = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('network watchdog', () => {
  it('rolls back a change that cuts the host off, holds, and lifts the hold on a later uplink change', async () => {
    const base = withH3();
    const n = base.length;
    const events = decided(
      base,
      onEth1,
      cmd('CreateVm', { vmId: 'late', name: 'late' }),
      cmd('DestroyNetwork', { networkId: 'n99' }),
    );
    const dir = await stateDir();
    const { agent, driver, rollbacks } = host(dir, 'eth1');
    const feed = new FakeFeed().publish(events, versions(1, n));
    await run(agent, feed, events);
    await until(() => agent.applied?.version === n, `version ${n}`);

    feed.publish(events, [n + 1]); // the network on eth1: h3 loses NATS
    await until(() => rollbacks.length > 0, 'the rollback');
    expect(agent.hold).toMatchObject({ version: n, refusedVersion: n + 1, recorded: false });
    expect(rollbacks).toEqual([n + 1]);
    expect(driver.managementPath.isCut).toBe(false); // the switch of version n is back
    expect(agent.applied).toEqual({ version: n, digest: hostDigest(replayPool(base), 'h3') });
    const report = await agent.report(false);
    expect(report.appliedVersion).toBe(n);
    expect(report.held).toMatchObject({
      version: n,
      refusedVersion: n + 1,
      followedVersion: n + 1,
    });

    feed.publish(events, [n + 2]); // not an uplink change: still held
    await until(() => agent.replica.version === n + 2, 'version n+2 read');
    expect(agent.applied?.version).toBe(n);
    expect(agent.hold?.refusedVersion).toBe(n + 1);

    feed.publish(events, [n + 3]); // the network goes: supersedes the refused change
    await until(() => agent.applied?.version === n + 3, 'the hold to lift');
    expect(agent.hold).toBeUndefined();
    expect(agent.applied?.digest).toBe(hostDigest(replayPool(events), 'h3'));
    expect((await agent.report(false)).held).toBeUndefined();
  });

  it('lets a change to the uplinks that keeps the host connected pass', async () => {
    const events = decided(withH3(), onEth1);
    const n = events.length;
    const dir = await stateDir();
    const { agent, probes } = host(dir, 'eth9'); // NATS does not leave by eth1
    const feed = new FakeFeed().publish(events, versions(1, n - 1));
    await run(agent, feed, events);
    await until(() => agent.applied?.version === n - 1, 'the pool before the change');
    const before = probes.count;
    feed.publish(events, [n]);
    await until(() => agent.applied?.version === n, 'the change');
    expect(agent.hold).toBeUndefined();
    expect(probes.count).toBeGreaterThan(before);
  });

  it('keeps holding across a restart, from the hold in its state directory', async () => {
    const base = withH3();
    const events = decided(base, onEth1);
    const n = events.length;
    const dir = await stateDir();
    const first = host(dir, 'eth1');
    const feed = new FakeFeed().publish(events, versions(1, n - 1));
    await run(first.agent, feed, events);
    await until(() => first.agent.applied?.version === n - 1, 'the pool before the change');
    feed.publish(events, [n]);
    await until(() => first.rollbacks.length > 0, 'the rollback');
    await cleanup.pop()!(); // stop the first agent, keep its state directory

    const second = host(dir, 'eth1');
    await second.agent.boot();
    expect(second.agent.replica.version).toBe(n);
    expect(second.agent.hold).toMatchObject({ version: n - 1, refusedVersion: n });
    expect(second.agent.applied?.version).toBe(n - 1);
    expect(second.driver.managementPath.isCut).toBe(false);
    expect(second.rollbacks).toEqual([n]); // not recorded yet: sent again
    await second.agent.stop();
  });

  it('never leaves an unconfirmed change in the state dir for a restart to boot into', async () => {
    const events = decided(withH3(), onEth1);
    const n = events.length;
    const dir = await stateDir();
    const first = host(dir, 'eth1');
    const feed = new FakeFeed().publish(events, versions(1, n - 1));
    await run(first.agent, feed, events);
    await until(() => first.agent.applied?.version === n - 1, 'the pool before the change');
    await cleanup.pop()!(); // a clean stop at n - 1

    // The change arrives while the host catches up (a replay), and it crashes while its
    // watchdog still waits: here, while the second agent waits, a third boots from the dir.
    feed.publish(events, [n]);
    const second = host(dir, 'eth1', 1500);
    await run(second.agent, feed, events);
    await until(() => second.driver.managementPath.isCut, 'the change on the switch');
    const third = host(dir, 'eth1');
    await third.agent.boot();
    expect(third.agent.replica.version).toBe(n - 1);
    expect(third.driver.managementPath.isCut).toBe(false);
    await third.agent.stop();
    // The second host decides: rolled back, held, and the hold is in the dir.
    await until(() => second.rollbacks.length > 0, 'the rollback', 5000);
    expect(second.driver.managementPath.isCut).toBe(false);
  });

  it('puts the resolver file back when it rolls back a change that brought DNS servers', async () => {
    const base = withH3();
    // h3's management interface, with DNS servers, onto eth1: NATS leaves by eth1, which the
    // internal port's uplink bridge takes (the memory datapath's model of losing the host).
    const events = decided(
      base,
      cmd('ConfigureHostInterface', {
        hostId: 'h3',
        name: 'mgmt0',
        purpose: 'management',
        device: 'eth1',
        ipv4: { mode: 'dhcp' },
        dns: ['198.51.100.53'],
      }),
    );
    const n = base.length;
    const dir = await stateDir();
    const resolver = new ResolverFile(join(dir, 'resolv.conf'), join(dir, 'resolv.previous'));
    const operators = 'nameserver 10.9.9.9\n';
    await writeFile(resolver.path, operators);
    const { agent, driver, rollbacks } = host(dir, 'eth1', 300, resolver);
    const feed = new FakeFeed().publish(events, versions(1, n));
    await run(agent, feed, events);
    await until(() => agent.applied?.version === n, `version ${n}`);

    const written = new Promise<string>((resolve) => {
      const poll = setInterval(() => {
        void readFile(resolver.path, 'utf8').then((text) => {
          if (!text.includes('198.51.100.53')) return;
          clearInterval(poll);
          resolve(text);
        });
      }, 5);
    });
    feed.publish(events, [n + 1]);
    expect(await written).toContain('nameserver 198.51.100.53'); // while the watchdog waits
    await until(() => rollbacks.length > 0, 'the rollback');
    expect(driver.managementPath.isCut).toBe(false);
    expect(await readFile(resolver.path, 'utf8')).toBe(operators);
  });

  it('watches a DNS-only change of the management interface and rolls back the resolver file', async () => {
    const base = withH3();
    const configure = (dns: string[]) =>
      cmd('ConfigureHostInterface', {
        hostId: 'h3',
        name: 'eth1',
        purpose: 'management',
        device: 'eth1',
        placement: 'pif',
        ipv4: { mode: 'static', address: '192.0.2.13/24', gateway: '192.0.2.1' },
        dns,
      });
    // The only difference between n + 1 and n + 2 is the DNS servers; n + 3 sets good ones.
    const events = decided(
      base,
      configure(['192.0.2.53']),
      configure(['203.0.113.99']),
      configure(['192.0.2.54']),
    );
    const n = base.length;
    const dir = await stateDir();
    const resolver = new ResolverFile(join(dir, 'resolv.conf'), join(dir, 'resolv.previous'));
    // NATS is addressed by name, and 203.0.113.99 answers no query: the host loses NATS.
    const dead = async () => (await readFile(resolver.path, 'utf8')).includes('203.0.113.99');
    const { agent, rollbacks, probes } = host(dir, 'eth9', 300, resolver, dead);
    const feed = new FakeFeed().publish(events, versions(1, n + 1));
    await run(agent, feed, events);
    await until(() => agent.applied?.version === n + 1, `version ${n + 1}`);
    const good = await readFile(resolver.path, 'utf8');
    expect(good).toContain('nameserver 192.0.2.53');

    const probed = probes.count;
    feed.publish(events, [n + 2]); // the DNS servers alone change
    await until(() => rollbacks.length > 0, 'the rollback');
    expect(probes.count).toBeGreaterThan(probed); // applied under the watchdog
    expect(rollbacks).toEqual([n + 2]);
    expect(agent.hold).toMatchObject({ version: n + 1, refusedVersion: n + 2 });
    expect(await readFile(resolver.path, 'utf8')).toBe(good); // the previous resolver is back
    expect(agent.applied).toEqual({
      version: n + 1,
      digest: hostDigest(replayPool(events.slice(0, n + 1)), 'h3'),
    });

    feed.publish(events, [n + 3]); // other DNS servers: supersedes the refused change
    await until(() => agent.applied?.version === n + 3, 'the hold to lift');
    expect(agent.hold).toBeUndefined();
    expect(await readFile(resolver.path, 'utf8')).toContain('nameserver 192.0.2.54');
  });
});
