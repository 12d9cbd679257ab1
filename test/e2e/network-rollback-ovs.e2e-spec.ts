/**
 * The network watchdog on real Open vSwitch (issue 21): three simulated hypervisors, each a
 * network namespace with its own userspace OVS and three NICs into a shared physical switch,
 * each running its member host inside that namespace, so the host reaches NATS only through its
 * management address: NATS sits behind a proxy on the test's own end of the physical switch
 * (NetnsLab.addLinkToTest), the namespaces have no other way out.
 *
 * poolnet first takes each host's installer-made address over as its management interface:
 * an internal port, untagged, on eth0's uplink bridge.
 *
 * 1. A change that cuts h3 off: its management interface moved onto VLAN 99, where the NATS side
 *    of the physical switch answers nothing (it is untagged). The decider cannot foresee that
 *    (the interface moves with its NIC, MANAGEMENT_NIC_BRIDGED has nothing to refuse), so the
 *    host must: it rolls back within its watchdog bound (3 s here), reconnects, reports the
 *    hold, and the master records HostNetworkRolledBack; h1 and h2 apply the version. A later
 *    change lifts the hold. (Only the interface's tag changes here, no uplink or bond: before
 *    host interfaces counted in uplinkShape, the host applied it unwatched and stayed cut off.)
 * 2. A correct move of h1's management interface onto a bond passes the watchdog untouched, and
 *    h1 answers over its management address throughout.
 *
 * Prints the figures: change → rollback, → the host reporting again (its first report with the
 * hold), → reachable again over its management address, → HostNetworkRolledBack in the log.
 */
import { TcpRelay } from '@pool/platform';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HostReport } from '@pool/contracts';
import { hostDigest } from '@pool/pool-topology';
import { uplinkBridgeName } from '@pool/vswitch';
import { NetnsLab } from '../../libs/vswitch/src/testing/netns-lab.js';
import { missingOvsLab, realPart } from '../support/real-part.js';
import { natsUrl } from '../support/services.js';
import { startPool, until, type MemberHost, type TestPool } from './support/member-host-pool.js';

const ovs = realPart(
  'Open vSwitch',
  missingOvsLab(['ovs-vsctl', 'ovs-ofctl', 'ovsdb-server', 'ip', 'ping']),
);

const WATCHDOG_MS = 3000;
/** The lab's management subnet, of the test's own (it is routed in the test's namespace). */
const NET = `198.18.${process.pid % 256}`;
const NATS_SIDE = `${NET}.1`;
const HOSTS = ['h1', 'h2', 'h3'] as const;
const ADDRESS: Record<string, string> = { h1: `${NET}.11`, h2: `${NET}.12`, h3: `${NET}.13` };

const mgmt = (hostId: string, where: object) => ({
  hostId,
  name: 'mgmt0',
  purpose: 'management',
  ipv4: { mode: 'static', address: `${ADDRESS[hostId]}/24` },
  ...where,
});

/** One answer (or not) of a host's /status over its management address, at `t` (epoch ms). */
interface Probe {
  t: number;
  ok: boolean;
}

/** Asks `host` for its status every 100 ms until stopped; each answer must come within 1 s. */
function watchReachable(host: MemberHost) {
  const probes: Probe[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const t = Date.now();
      const ok = await fetch(`${host.base}/status`, { signal: AbortSignal.timeout(1000) }).then(
        (r) => r.ok,
        () => false,
      );
      probes.push({ t, ok });
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  return {
    probes,
    stop: async () => {
      running = false;
      await loop;
      return probes;
    },
  };
}

/** The longest time between two answered probes (or from `from` to the first), in ms. */
const longestSilence = (probes: Probe[], from: number): number => {
  let last = from;
  let longest = 0;
  for (const probe of probes) {
    if (!probe.ok) continue;
    longest = Math.max(longest, probe.t - last);
    last = probe.t;
  }
  return longest;
};

describe.skipIf(ovs.skip)('network rollback on real Open vSwitch', () => {
  beforeAll(() => ovs.assertPresent());
  const pool = `nrb-${randomUUID().slice(0, 8)}`;
  const lab = new NetnsLab(`rb${process.pid % 100000}`);
  let p: TestPool;
  let proxy: TcpRelay | undefined;
  const host = (name: string): MemberHost => p.hosts.get(name)!;
  const inHost = (name: string, command: string[]) =>
    lab.exec(lab.host(name).netns, command).catch((error: unknown) => String(error));

  beforeAll(async () => {
    p = await startPool(pool);
    await lab.start();
    await lab.addLinkToTest(`${NATS_SIDE}/24`);
    proxy = await TcpRelay.start(Number(new URL(natsUrl()).port), { listenHost: NATS_SIDE });
    await p.ok('CreatePool', { poolId: pool, name: 'Rollback pool' });
    for (const id of HOSTS) {
      const labHost = await lab.addHost(id, ['eth0', 'eth1', 'eth2']);
      // The installer's address on the management NIC: how the host first reaches NATS.
      await lab.exec(labHost.netns, ['ip', 'addr', 'add', `${ADDRESS[id]}/24`, 'dev', 'eth0']);
      await p.startHost(
        id,
        {
          DRIVER: 'ovs',
          OVS_RUN_DIR: labHost.runDir,
          NETNS: labHost.netns,
          PIF_DEVICES: 'eth0,eth1,eth2',
          MANAGEMENT_DEVICE: 'eth0',
          HOST_ADDRESS: ADDRESS[id]!,
          NATS_URL: proxy.url,
          NETWORK_WATCHDOG_MS: String(WATCHDOG_MS),
          DRIFT_INTERVAL_MS: '2000',
          LOG_LEVEL: 'info',
        },
        { netns: labHost.netns, address: ADDRESS[id] },
      );
    }
    for (const id of HOSTS) {
      await until(async () => (await host(id).status()).member === true, `${id} to join`);
    }
  }, 180_000);

  afterAll(async () => {
    await p?.close(); // member hosts first, so none rebuilds a switch being torn down
    await proxy?.close();
    await lab.stop();
  });

  it('has each host reach NATS only through its management interface', async () => {
    // h1: poolnet first takes the installer's address as it is, on the NIC itself (placement
    // pif, named after the NIC), then moves it onto eth0's uplink bridge under a name of its
    // own in one change (`replaces`), which takes it off the NIC: nothing is done by hand.
    await p.ok(
      'ConfigureHostInterface',
      mgmt('h1', { name: 'eth0', device: 'eth0', placement: 'pif' }),
      { wait: 'hosts', waitTimeoutMs: 30_000 },
    );
    await p.ok('ConfigureHostInterface', mgmt('h1', { device: 'eth0', replaces: 'eth0' }), {
      wait: 'hosts',
      waitTimeoutMs: 30_000,
    });
    // h2 and h3: poolnet takes the installer's address over on an internal port straight away.
    for (const id of ['h2', 'h3']) {
      await p.ok('ConfigureHostInterface', mgmt(id, { device: 'eth0' }), {
        wait: 'hosts',
        waitTimeoutMs: 30_000,
      });
      // The installer's copy on the NIC goes (poolnet leaves addresses it did not write alone).
      await inHost(id, ['ip', 'addr', 'del', `${ADDRESS[id]}/24`, 'dev', 'eth0']);
    }
    for (const id of HOSTS) {
      await p.converged(host(id));
      const addresses = await inHost(id, ['ip', '-4', '-o', 'addr', 'show', 'scope', 'global']);
      expect(addresses.trim().split('\n')).toHaveLength(1);
      expect(addresses).toMatch(new RegExp(`^\\d+: mgmt0 +inet ${ADDRESS[id]}/24`));
      expect(await inHost(id, ['ip', 'route', 'show', 'default'])).toBe('');
      expect((await lab.vsctl(id, ['port-to-br', 'mgmt0'])).trim()).toBe(uplinkBridgeName('eth0'));
      expect((await host(id).status()).held).toBeNull();
    }
  });

  it('rolls back a change that cuts a host off, within the watchdog bound, and records it', async () => {
    const victim = host('h3');
    const before = (await victim.status()).applied.version as number;
    const reach = watchReachable(victim);
    const sentAt = Date.now();
    // Moves with its NIC, so the guard has nothing to refuse; the switch has no VLAN 99 to NATS.
    const reply = await p.command(
      'ConfigureHostInterface',
      mgmt('h3', { device: 'eth0', vlan: 99 }),
      { wait: 'hosts', waitTimeoutMs: 30_000 },
    );
    const answeredMs = Date.now() - sentAt;
    expect(reply.ok, JSON.stringify(reply)).toBe(false);
    if (reply.ok) return;
    expect(reply.error.code).toBe('HOST_NETWORK_ROLLED_BACK');
    const details = reply.error.details as { version: number; rolledBack: { host: string }[] };
    expect(details.rolledBack.map((h) => h.host)).toEqual(['h3']);
    const refused = details.version;

    const held = (await victim.status()).held;
    expect(held).toMatchObject({ version: before, refusedVersion: refused });
    const rolledBackMs = Date.parse(held.since) - sentAt;
    expect(rolledBackMs).toBeGreaterThanOrEqual(WATCHDOG_MS);
    expect(rolledBackMs).toBeLessThan(WATCHDOG_MS + 5000);

    // The host was cut off (its management address went silent) and answers again.
    await until(
      () => reach.probes.some((r) => r.ok && r.t > Date.parse(held.since)),
      'h3 to answer again',
    );
    const probes = await reach.stop();
    const firstSilent = probes.find((r) => !r.ok);
    expect(firstSilent, 'the change cut h3 off its management address').toBeDefined();
    const reachableMs = probes.find((r) => r.ok && r.t > firstSilent!.t)!.t - sentAt;

    // Reporting again: its first report with the hold went through NATS.
    let report: HostReport | undefined;
    await until(async () => {
      report = (await p.reports('h3')).find((r) => r.held?.refusedVersion === refused);
      return report !== undefined;
    }, 'h3 to report its hold');
    const reportingMs = Date.parse(report!.at) - sentAt;

    let recordedMs = 0;
    await until(async () => {
      const rolledBack = (await p.events()).find((e) => e.type === 'HostNetworkRolledBack');
      if (rolledBack) {
        recordedMs = Date.now() - sentAt;
        expect(rolledBack.data).toMatchObject({
          hostId: 'h3',
          refusedVersion: refused,
          heldVersion: before,
        });
      }
      return rolledBack !== undefined;
    }, 'HostNetworkRolledBack in the log');

    // h3's switch is the one of the version it holds: mgmt0 untagged again.
    const { state: heldState } = await p.logState(before);
    await until(
      async () => (await victim.status()).applied?.digest === hostDigest(heldState, 'h3'),
      "h3 at its held version's digest",
    );
    expect((await lab.vsctl('h3', ['get', 'Port', 'mgmt0', 'tag'])).trim()).toBe('[]');
    // The others applied the change (theirs: the version, their switches unchanged by it).
    for (const id of ['h1', 'h2']) {
      const { version } = await p.converged(host(id));
      expect(version).toBeGreaterThanOrEqual(refused);
      expect((await host(id).status()).held).toBeNull();
    }

    console.log(
      [
        `network rollback on real Open vSwitch (watchdog bound ${WATCHDOG_MS} ms):`,
        `  change → rollback: ${rolledBackMs} ms`,
        `  change → h3 reporting again (its report with the hold): ${reportingMs} ms`,
        `  change → h3 answering over its management address again: ${reachableMs} ms`,
        `  change → ?wait=hosts answered HOST_NETWORK_ROLLED_BACK: ${answeredMs} ms`,
        `  change → HostNetworkRolledBack seen in the log: ${recordedMs} ms`,
      ].join('\n'),
    );

    // A later change to its interfaces supersedes the refused one: the hold lifts.
    await p.ok('ConfigureHostInterface', mgmt('h3', { device: 'eth0' }), {
      wait: 'hosts',
      waitTimeoutMs: 30_000,
    });
    await p.converged(victim);
    expect((await victim.status()).held).toBeNull();
  });

  it('keeps a correct move of the management interface to a bond, reachable throughout', async () => {
    const h1 = host('h1');
    await p.ok(
      'CreateBond',
      {
        bondId: 'h1-bond0',
        hostId: 'h1',
        device: 'bond0',
        members: ['eth1', 'eth2'],
        mode: 'active-backup',
      },
      { wait: 'hosts', waitTimeoutMs: 30_000 },
    );
    const reach = watchReachable(h1);
    const sentAt = Date.now();
    const reply = await p.command('ConfigureHostInterface', mgmt('h1', { device: 'bond0' }), {
      wait: 'hosts',
      waitTimeoutMs: 30_000,
    });
    const answeredMs = Date.now() - sentAt;
    await new Promise((resolve) => setTimeout(resolve, 2 * WATCHDOG_MS)); // past any rollback
    const probes = await reach.stop();
    expect(reply.ok, JSON.stringify(reply)).toBe(true);
    if (!reply.ok) return;
    // Under the watchdog, which NATS answered: not a change that went unwatched.
    expect(h1.running.output()).toContain(
      `version ${reply.result.version} changed this host's uplinks; NATS answered within`,
    );
    await p.converged(h1);
    expect((await h1.status()).held).toBeNull();
    expect((await p.events()).filter((e) => e.type === 'HostNetworkRolledBack')).toHaveLength(1);
    expect((await lab.vsctl('h1', ['port-to-br', 'mgmt0'])).trim()).toBe(uplinkBridgeName('bond0'));
    expect((await lab.vsctl('h1', ['list-br'])).trim()).toBe(uplinkBridgeName('bond0'));
    expect((await fetch(`${h1.base}/status`)).ok).toBe(true);
    const silence = longestSilence(probes, sentAt);
    const failed = probes.filter((r) => !r.ok).length;
    console.log(
      `management moved to a bond on h1: ?wait=hosts answered in ${answeredMs} ms; ` +
        `${probes.length} status probes over its management address, ${failed} unanswered, ` +
        `longest silence ${silence} ms`,
    );
    expect(silence).toBeLessThan(WATCHDOG_MS);
  });
});
