import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { missingOvsLab, realPart } from '../../../../../test/support/real-part.js';
import { digest } from '../../model/canonical.js';
import { desiredState } from '../../model/desired-state.js';
import { bridgeName, portName, tunnelPortName, uplinkBridgeName } from '../../model/naming.js';
import { reconcileFully } from '../../reconcile.js';
import { NetnsLab } from '../../testing/netns-lab.js';
import { topology, type TopologyBuilder } from '../../testing/topology-builder.js';

const HOSTS = ['h1', 'h2', 'h3'] as const;
type HostId = (typeof HOSTS)[number];
/** Each host's underlay address, on the uplink bridge of its eth0 (as xenbr0 holds it). */
const UNDERLAY: Record<HostId, string> = {
  h1: '192.168.77.11',
  h2: '192.168.77.12',
  h3: '192.168.77.13',
};
const mac = (n: number) => `02:00:00:00:0a:${n.toString(16).padStart(2, '0')}`;

/**
 * VM → [host, network, MAC number, address]. The two overlays share one subnet on purpose:
 * only their VNIs keep them apart.
 */
const VMS = {
  a1: ['h1', 'ovA', 1, '10.50.0.1'],
  a2: ['h2', 'ovA', 2, '10.50.0.2'],
  a3: ['h3', 'ovA', 3, '10.50.0.3'],
  b1: ['h1', 'ovB', 4, '10.50.0.11'],
  b2: ['h2', 'ovB', 5, '10.50.0.12'],
  b3: ['h3', 'ovB', 6, '10.50.0.13'],
} as const;
type Vm = keyof typeof VMS;

function pool(): TopologyBuilder {
  const t = topology().overlay('ovA', 101).overlay('ovB', 102);
  for (const host of HOSTS) t.host(host, ['eth0']).tunnel(host, UNDERLAY[host]);
  for (const [vm, [host, network, n, ipv4]] of Object.entries(VMS)) {
    t.vm(vm, host).vif(`v-${vm}`, vm, network, { mac: mac(n), ipv4 });
  }
  return t;
}

const lab = new NetnsLab(`pno${process.pid}`);
const part = realPart(
  'OVS overlay',
  missingOvsLab(['ovs-vsctl', 'ovs-vswitchd', 'ip', 'ping', 'tcpdump']),
);

/** A capture on a host's underlay port of the physical switch, listening once this resolves. */
async function startCapture(host: HostId, filter: string) {
  const child = spawn(
    'ip',
    ['netns', 'exec', lab.phys, 'tcpdump', '-i', lab.nicOf(host), '-nn', '-e', '-l', filter],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  // tcpdump says "listening on" once its socket is open; what came before would be missed.
  await new Promise<void>((resolve, reject) => {
    child.stderr.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('listening on')) resolve();
    });
    setTimeout(() => reject(new Error(`tcpdump on ${host} did not start`)), 5000);
  });
  return {
    stop: async (): Promise<string[]> => {
      await sleep(300);
      child.kill('SIGINT');
      await new Promise((resolve) => child.once('close', resolve));
      return out.split('\n').filter((line) => line.trim() !== '');
    },
  };
}

/** Frames seen on a host's underlay port while `during` runs. */
async function capture(host: HostId, filter: string, during: () => Promise<unknown>) {
  const running = await startCapture(host, filter);
  await during();
  return running.stop();
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** tcpdump prints a VXLAN frame as its outer line, then the inner frame on the next line. */
const encapsulated = (lines: string[]) =>
  lines.flatMap((outer, i) =>
    outer.includes(': VXLAN') ? [{ outer, inner: lines[i + 1] ?? '' }] : [],
  );

describe.skipIf(part.skip)('OVS driver: overlay networks over VXLAN on real Open vSwitch', () => {
  const ns = {} as Record<Vm, string>;
  const ping = (from: Vm, to: Vm) => lab.ping(ns[from], VMS[to][3]);
  const uplink = uplinkBridgeName('eth0');

  beforeAll(async () => {
    part.assertPresent();
    await lab.start();
    for (const host of HOSTS) await lab.addHost(host, ['eth0']);
    for (const [vm, [host, , n, ipv4]] of Object.entries(VMS)) {
      ns[vm as Vm] = await lab.addVm(vm, host, portName(`v-${vm}`), mac(n), `${ipv4}/24`);
    }
    await lab.converge(pool().build());
    // The host's own address on its underlay: what an operator (or XAPI, on xenbr0) configures.
    for (const host of HOSTS) {
      const netns = lab.host(host).netns;
      await lab.exec(netns, ['ip', 'addr', 'add', `${UNDERLAY[host]}/24`, 'dev', uplink]);
      await lab.exec(netns, ['ip', 'link', 'set', uplink, 'up']);
    }
  }, 120_000);
  afterAll(() => lab.stop());

  it('gives each host one protected VXLAN port per other host on each overlay bridge', async () => {
    for (const host of HOSTS) {
      const desired = desiredState(pool().build(), host);
      const ovA = desired.bridges.find((b) => b.networkId === 'ovA');
      expect(ovA?.tunnels?.map((t) => [t.remoteHost, t.remoteIp, t.vni])).toEqual(
        HOSTS.filter((h) => h !== host)
          .map((h) => [h, UNDERLAY[h], 101])
          .sort((a, b) =>
            tunnelPortName('ovA', a[0] as string).localeCompare(
              tunnelPortName('ovA', b[0] as string),
            ),
          ),
      );
      const port = tunnelPortName('ovA', host === 'h1' ? 'h2' : 'h1');
      const row = await lab.vsctl(host, [
        '--format=json',
        '--columns=type,options',
        'list',
        'Interface',
        port,
      ]);
      expect(row).toContain('vxlan');
      expect(row).toContain('"key","101"');
      expect((await lab.vsctl(host, ['get', 'Port', port, 'protected'])).trim()).toBe('true');
      expect(digest(await lab.host(host).driver.readActual())).toBe(digest(desired));
    }
  });

  it('lets VMs of one overlay network on three hosts ping each other', async () => {
    for (const [from, to] of [
      ['a1', 'a2'],
      ['a2', 'a3'],
      ['a3', 'a1'],
      ['b1', 'b3'],
    ] as const) {
      expect(await ping(from, to), `${from} → ${to}`).toBe(true);
    }
  });

  it('keeps the second overlay network, same subnet, isolated from the first', async () => {
    expect(await ping('a1', 'b2')).toBe(false);
    expect(await ping('b3', 'a1')).toBe(false);
    expect(await ping('a2', 'b2')).toBe(false);
  });

  it('puts only encapsulated frames on the underlay for overlay traffic', async () => {
    const vmMacs = Object.values(VMS).map(([, , n]) => mac(n));
    // Everything h1's NIC carries that is not VXLAN to or from an underlay address.
    const clear = await capture('h1', 'not (udp port 4789)', async () => {
      expect(await ping('a1', 'a2')).toBe(true);
      expect(await ping('a3', 'a1')).toBe(true);
      // A control: the host's own ping on the underlay goes in the clear, and is seen.
      await lab.exec(lab.host('h1').netns, ['ping', '-c', '1', '-W', '1', UNDERLAY.h2]);
    });
    expect(
      clear.some((line) => line.includes(`${UNDERLAY.h1} > ${UNDERLAY.h2}: ICMP echo request`)),
    ).toBe(true);
    const leaked = clear.filter(
      (line) => vmMacs.some((m) => line.includes(m)) || line.includes('10.50.0.'),
    );
    expect(leaked).toEqual([]);
    const vxlan = await capture('h1', 'udp port 4789', () => ping('a1', 'a2'));
    // Each tunnel's BFD session (ovs-vswitchd's own, inside the tunnel) runs on every VNI: UDP
    // to port 3784 (which tcpdump sometimes decodes as another protocol, by the source port).
    // A frame the capture stopped inside of (its inner line not printed yet) says nothing.
    const traffic = encapsulated(vxlan)
      .filter(({ inner }) => inner !== '' && !/ > [\d.]+\.3784: /.test(inner))
      .map(({ outer }) => outer);
    const framesOfA = traffic.filter((line) => line.includes('vni 101'));
    expect(framesOfA.length).toBeGreaterThan(0);
    expect(traffic.filter((line) => line.includes('vni 102'))).toEqual([]);
    // Outer addresses are the hosts' underlay addresses.
    expect(framesOfA.every((line) => line.includes(UNDERLAY.h1))).toBe(true);
  });

  it('sends a broadcast once to each other host and never from tunnel to tunnel', async () => {
    // One ARP request from a1 (broadcast): h1's NIC sends it once per other host of ovA, and
    // h2 and h3 forward nothing of it to each other (split horizon): h2's NIC carries only the
    // copy h1 sent it, not one relayed by h3.
    const target = '10.50.0.99'; // no one: the request stays unanswered, so nothing else flows
    const arping = () =>
      lab.exec(ns.a1, ['ping', '-c', '1', '-W', '1', target]).catch(() => undefined);
    const [h1, h2] = [
      await startCapture('h1', 'udp port 4789'),
      await startCapture('h2', 'udp port 4789'),
    ];
    await arping();
    await sleep(3500); // the kernel's ARP retries, each one flooded again
    const [fromH1, atH2] = [await h1.stop(), await h2.stop()];
    // The kernel may ask more than once (it retries an unanswered ARP): each request counts.
    const requests = (lines: string[]) =>
      encapsulated(lines)
        .filter(({ inner }) => inner.includes(`Request who-has ${target}`))
        .map(({ outer }) => outer);
    const sent = requests(fromH1);
    const toH2 = sent.filter((l) => l.includes(`> ${UNDERLAY.h2}.4789`)).length;
    const toH3 = sent.filter((l) => l.includes(`> ${UNDERLAY.h3}.4789`)).length;
    expect(toH2).toBeGreaterThan(0);
    expect(toH3).toBe(toH2);
    expect(sent.length).toBe(toH2 + toH3);
    // At h2: exactly the copies h1 sent it, none relayed by h3, and h2 relays none on.
    const atH2Requests = requests(atH2);
    expect(atH2Requests.filter((l) => l.includes(`${UNDERLAY.h1}.`)).length).toBe(toH2);
    expect(atH2Requests.length).toBe(toH2);
  });

  it('applies ACLs on overlay ports as on VLAN ones: a network rule stops ICMP across hosts', async () => {
    const noPing = pool().acl('no-ping', { networkId: 'ovA' }, { match: { protocol: 'icmp' } });
    await lab.converge(noPing.build());
    expect(await ping('a1', 'a3')).toBe(false);
    expect(await ping('b1', 'b3')).toBe(true);
    await lab.converge(pool().build());
    expect(await ping('a1', 'a3')).toBe(true);
  });

  it('repairs and reports a tunnel deleted by hand in the drift pass', async () => {
    const bridge = bridgeName('ovA');
    const port = tunnelPortName('ovA', 'h2');
    await lab.vsctl('h1', ['del-port', bridge, port]);
    expect(await ping('a1', 'a2')).toBe(false);
    const desired = desiredState(pool().build(), 'h1');
    const { operations } = await reconcileFully(lab.host('h1').driver, desired);
    expect(operations.map((op) => op.kind)).toEqual(['setBridgeTunnels']);
    expect(operations[0]).toMatchObject({
      bridge,
      tunnels: expect.arrayContaining([expect.objectContaining({ name: port })]),
    });
    expect(await ping('a1', 'a2')).toBe(true);
    const again = await reconcileFully(lab.host('h1').driver, desired);
    expect(again).toEqual({ operations: [], findings: [] });
  });

  it.each([
    ['remote address', 'h3', 'options:remote_ip=192.168.77.99'],
    ['BFD', 'h2', 'bfd:enable=false'],
  ] as const)('rewrites a tunnel whose %s was edited by hand', async (_, remote, edit) => {
    const port = tunnelPortName('ovA', remote);
    await lab.vsctl('h1', ['set', 'Interface', port, edit]);
    const desired = desiredState(pool().build(), 'h1');
    const { operations } = await reconcileFully(lab.host('h1').driver, desired);
    expect(operations.map((op) => op.kind)).toEqual(['setBridgeTunnels']);
    expect(await reconcileFully(lab.host('h1').driver, desired)).toEqual({
      operations: [],
      findings: [],
    });
    expect(await ping('a1', remote === 'h2' ? 'a2' : 'a3')).toBe(true);
  });

  it('checks each tunnel with BFD: a host whose underlay is cut stops answering, then answers again', async () => {
    /** `network→remote host` → the BFD state of that tunnel on `host`'s switch. */
    const states = async (host: HostId) => {
      const liveness = await lab.host(host).driver.tunnelLiveness();
      const desired = desiredState(pool().build(), host);
      return Object.fromEntries(
        desired.bridges.flatMap((b) =>
          (b.tunnels ?? []).map((t) => [
            `${b.networkId}→${t.remoteHost}`,
            liveness.get(t.name)?.state ?? 'none',
          ]),
        ),
      );
    };
    const allUp = async () =>
      (await Promise.all(HOSTS.map(states))).every((s) =>
        Object.values(s).every((state) => state === 'up'),
      );
    await waitFor(allUp, 15_000, 'every tunnel up');
    const started = Date.now();
    await lab.exec(lab.phys, ['ip', 'link', 'set', lab.nicOf('h3'), 'down']);
    try {
      await waitFor(
        async () => {
          const s = await states('h1');
          return s['ovA→h3'] !== 'up' && s['ovB→h3'] !== 'up';
        },
        15_000,
        "h1's tunnels to h3 down",
      );
      console.log(`BFD: h1 saw h3's underlay cut after ${Date.now() - started} ms`);
      // The rest of the mesh still answers.
      const h1 = await states('h1');
      expect([h1['ovA→h2'], h1['ovB→h2']]).toEqual(['up', 'up']);
      const h2 = await states('h2');
      expect([h2['ovA→h3'] === 'up', h2['ovA→h1']]).toEqual([false, 'up']);
    } finally {
      await lab.exec(lab.phys, ['ip', 'link', 'set', lab.nicOf('h3'), 'up']);
    }
    await waitFor(allUp, 15_000, 'every tunnel up again');
    // The tunnels themselves were never touched: the planner has nothing to do.
    for (const host of HOSTS) {
      const desired = desiredState(pool().build(), host);
      expect(await reconcileFully(lab.host(host).driver, desired)).toEqual({
        operations: [],
        findings: [],
      });
    }
  }, 60_000);
});

async function waitFor(check: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(200);
  }
}
