import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { missingOvsLab, realPart } from '../../../../../test/support/real-part.js';
import { desiredState } from '../../model/desired-state.js';
import { mirrorTunnelKey } from '../../model/mirror-legs.js';
import {
  bridgeName,
  mirrorTunnelPortName,
  portName,
  uplinkBridgeName,
} from '../../model/naming.js';
import { reconcileFully } from '../../reconcile.js';
import { NetnsLab } from '../../testing/netns-lab.js';
import { topology, type TopologyBuilder } from '../../testing/topology-builder.js';

const HOSTS = ['h1', 'h2', 'h3'] as const;
type HostId = (typeof HOSTS)[number];
/** Each host's underlay address, on the uplink bridge of its eth0 (as xenbr0 holds it). */
const UNDERLAY: Record<HostId, string> = {
  h1: '192.168.78.11',
  h2: '192.168.78.12',
  h3: '192.168.78.13',
};
const MAC = { tap: '02:00:00:00:0c:01', web: '02:00:00:00:0c:02', other: '02:00:00:00:0c:03' };
/** Where the source sends its frames: no one, behind a static neighbour entry. */
const NOBODY = { ip: '10.61.0.99', mac: '02:00:00:00:0c:99' };
const FRAMES = 50;

/**
 * The monitor `tap` on h1 (private network `mon`, with a bystander `other`); the source `web`
 * on private network `p`, on `webHost`, mirrored both ways to tap; every host has an endpoint
 * on eth0, whose uplink bridge the external network `mgmt` keeps on every host.
 */
function pool(
  webHost: HostId,
  migration?: 'requested' | 'prepared' | 'activated',
): TopologyBuilder {
  const t = topology().external('mgmt', 'eth0').private('p').private('mon');
  for (const host of HOSTS) t.host(host, ['eth0']).tunnel(host, UNDERLAY[host]);
  t.vm('tap', 'h1').vif('v-tap', 'tap', 'mon', { mac: MAC.tap });
  t.vm('other', 'h1').vif('v-other', 'other', 'mon', { mac: MAC.other });
  t.vm('web', webHost).vif('v-web', 'web', 'p', { mac: MAC.web });
  if (migration) t.migrate('web', webHost, 'h3', migration);
  return t.mirror('m', { vifId: 'v-web' }, 'v-tap', 'both');
}

const lab = new NetnsLab(`xmr${process.pid}`);
const part = realPart(
  'OVS cross-host mirror',
  missingOvsLab(['ovs-vsctl', 'ovs-vswitchd', 'ip', 'ping', 'tcpdump']),
);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Echo requests to NOBODY seen on a VM's eth0 while `during` runs (tcpdump in its netns). */
async function copiesSeen(netns: string, during: () => Promise<unknown>): Promise<number> {
  const filter = `icmp[icmptype] = icmp-echo and dst host ${NOBODY.ip}`;
  const child = spawn(
    'ip',
    ['netns', 'exec', netns, 'tcpdump', '-i', 'eth0', '-nn', '-l', filter],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  await new Promise<void>((resolve, reject) => {
    child.stderr.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('listening on')) resolve();
    });
    setTimeout(() => reject(new Error(`tcpdump in ${netns} did not start`)), 5000);
  });
  await during();
  await sleep(500);
  child.kill('SIGINT');
  await new Promise((resolve) => child.once('close', resolve));
  return out.split('\n').filter((line) => line.includes('ICMP echo request')).length;
}

describe.skipIf(part.skip)('OVS driver: a mirror carried across hosts over GRE', () => {
  const ns = {} as Record<'tap' | 'other' | 'web' | 'web3', string>;
  /** FRAMES echo requests from a source instance, none answered (NOBODY does not exist). */
  const send = async (source: 'web' | 'web3') => {
    // ping exits 1 when nothing answers, which is the point here: its summary is what counts.
    const ping = `ping -c ${FRAMES} -i 0.02 -W 1 -q ${NOBODY.ip}; true`;
    const out = await lab.exec(ns[source], ['sh', '-c', ping]);
    expect(out).toContain(`${FRAMES} packets transmitted`);
  };
  const converge = (t: TopologyBuilder) => lab.converge(t.build());
  /**
   * Single frames from `source` until one copy reaches the tap (at most 10). Open vSwitch drops
   * a tunnelled packet while it resolves the remote endpoint's MAC, and the entry it learned
   * from the hosts' underlay pings in beforeAll may have aged out or never been snooped: the
   * first copy after that is lost (docs/design.md). The counts below are over a resolved leg.
   */
  const primeLeg = async (source: 'web' | 'web3') => {
    for (let attempt = 0; attempt < 10; attempt++) {
      const ping = `ping -c 1 -W 1 -q ${NOBODY.ip}; true`;
      const seen = await copiesSeen(ns.tap, () => lab.exec(ns[source], ['sh', '-c', ping]));
      if (seen > 0) return;
    }
    throw new Error(`no mirrored copy from ${source} reached the tap in 10 tries`);
  };

  beforeAll(async () => {
    part.assertPresent();
    await lab.start();
    for (const host of HOSTS) await lab.addHost(host, ['eth0']);
    ns.tap = await lab.addVm('tap', 'h1', portName('v-tap'), MAC.tap, '10.62.0.1/24');
    ns.other = await lab.addVm('other', 'h1', portName('v-other'), MAC.other, '10.62.0.2/24');
    ns.web = await lab.addVm('web', 'h2', portName('v-web'), MAC.web, '10.61.0.1/24');
    // The instance the VM becomes on h3 once it migrates there: same port name, same MAC.
    ns.web3 = await lab.addVm('web3', 'h3', portName('v-web'), MAC.web, '10.61.0.1/24');
    for (const vm of ['web', 'web3'] as const) {
      await lab.exec(ns[vm], [
        'ip',
        'neigh',
        'add',
        NOBODY.ip,
        'lladdr',
        NOBODY.mac,
        'dev',
        'eth0',
      ]);
    }
    await converge(pool('h2'));
    const uplink = uplinkBridgeName('eth0');
    for (const host of HOSTS) {
      const netns = lab.host(host).netns;
      await lab.exec(netns, ['ip', 'addr', 'add', `${UNDERLAY[host]}/24`, 'dev', uplink]);
      await lab.exec(netns, ['ip', 'link', 'set', uplink, 'up']);
    }
    // Hosts of a pool talk over the underlay (management, storage), so each knows the others'
    // MACs. Open vSwitch's tunnels learn them by snooping those ARP replies; a copy sent while
    // the remote endpoint is still unresolved is dropped as OVS resolves it (docs/design.md).
    for (const host of HOSTS) {
      for (const other of HOSTS.filter((h) => h !== host)) {
        await lab.exec(lab.host(host).netns, ['ping', '-c', '1', '-W', '1', UNDERLAY[other]]);
      }
    }
  }, 120_000);
  afterAll(() => lab.stop());

  it('writes a GRE leg on both hosts with one key, reading back as desired', async () => {
    const key = String(mirrorTunnelKey('m', 'p'));
    const sendPort = mirrorTunnelPortName('m', 'p', 'h1');
    const receivePort = mirrorTunnelPortName('m', 'p', 'h2');
    const iface = (host: HostId, port: string) =>
      lab.vsctl(host, ['--format=json', '--columns=type,options', 'list', 'Interface', port]);
    for (const [host, port, remote] of [
      ['h2', sendPort, UNDERLAY.h1],
      ['h1', receivePort, UNDERLAY.h2],
    ] as const) {
      const row = await iface(host, port);
      expect(row).toContain('"gre"');
      expect(row).toContain(`"key","${key}"`);
      expect(row).toContain(`"remote_ip","${remote}"`);
    }
    const ofport = async (port: string) =>
      (await lab.vsctl('h1', ['get', 'Interface', port, 'ofport'])).trim();
    const flows = await lab.ofctl('h1', 'dump-flows', bridgeName('mon'), ['--no-stats']);
    expect(flows).toContain(
      `priority=65100,in_port=${await ofport(receivePort)} actions=output:${await ofport(portName('v-tap'))}`,
    );
  });

  it('delivers every copy of what the source on h2 sends to the monitor on h1, and to no one else', async () => {
    await primeLeg('web');
    let atOther = -1;
    const atTap = await copiesSeen(ns.tap, async () => {
      atOther = await copiesSeen(ns.other, () => send('web'));
    });
    expect(atTap).toBe(FRAMES);
    expect(atOther).toBe(0);
  });

  it('follows the source VM as it migrates to h3, and delivers every copy from there', async () => {
    for (const phase of ['requested', 'prepared', 'activated'] as const) {
      await converge(pool('h2', phase));
    }
    await converge(pool('h3'));
    // The leg moved: h2 holds nothing of it, h1 receives from h3 only.
    expect(desiredState(pool('h3').build(), 'h2').bridges.map((b) => b.networkId)).toEqual([
      'mgmt',
    ]);
    const ports = await lab.vsctl('h1', ['list-ports', bridgeName('mon')]);
    expect(ports).toContain(mirrorTunnelPortName('m', 'p', 'h3'));
    expect(ports).not.toContain(mirrorTunnelPortName('m', 'p', 'h2'));
    await primeLeg('web3');
    const atTap = await copiesSeen(ns.tap, () => send('web3'));
    expect(atTap).toBe(FRAMES);
  });

  it('repairs and reports a receiving GRE port deleted by hand in the drift pass', async () => {
    const port = mirrorTunnelPortName('m', 'p', 'h3');
    await lab.vsctl('h1', ['del-port', bridgeName('mon'), port]);
    expect(await copiesSeen(ns.tap, () => send('web3'))).toBe(0);
    const desired = desiredState(pool('h3').build(), 'h1');
    const { operations } = await reconcileFully(lab.host('h1').driver, desired);
    expect(operations.map((op) => op.kind)).toEqual(['setMirrorTunnels']);
    expect(await copiesSeen(ns.tap, () => send('web3'))).toBe(FRAMES);
    expect(await reconcileFully(lab.host('h1').driver, desired)).toEqual({
      operations: [],
      findings: [],
    });
  });

  it('puts back a delivery flow deleted by hand', async () => {
    const port = mirrorTunnelPortName('m', 'p', 'h3');
    await lab.ofctl('h1', 'del-flows', bridgeName('mon'), [`in_port=${port}`]);
    const desired = desiredState(pool('h3').build(), 'h1');
    expect(await copiesSeen(ns.tap, () => send('web3'))).toBe(0);
    const { operations } = await reconcileFully(lab.host('h1').driver, desired);
    // The port reads back as absent without its flow, so the planner writes both again.
    expect(operations.map((op) => op.kind)).toEqual(['setMirrorTunnels']);
    expect(await copiesSeen(ns.tap, () => send('web3'))).toBe(FRAMES);
  });
});
