import { describe, expect, it } from 'vitest';
import { desiredState } from '../../model/desired-state.js';
import { portName, tunnelPortName } from '../../model/naming.js';
import { reconcile } from '../../reconcile.js';
import { topology, type TopologyBuilder } from '../../testing/topology-builder.js';
import type { IpPacket } from './acl-conntrack.js';
import { MemoryFabric, type OverlayFrame } from './memory-fabric.js';
import { MemoryVSwitchDriver } from './memory-driver.js';

const ENDPOINT = { h1: '192.0.2.1', h2: '192.0.2.2', h3: '192.0.2.3' } as const;
type Host = keyof typeof ENDPOINT;
const HOSTS = Object.keys(ENDPOINT) as Host[];
const BFD_MS = 100;

/**
 * Overlay `ov` (VNI 7): a and a2 on h1, b on h2, c on h3. Overlay `ov2` (VNI 8), the same
 * addresses: x on h1, y on h2. The VM of VIF `v<vm>` is `<vm>`.
 */
function pool(): TopologyBuilder {
  const t = topology().overlay('ov', 7).overlay('ov2', 8);
  for (const host of HOSTS) t.host(host).tunnel(host, ENDPOINT[host]);
  const vms: [string, Host, string, string][] = [
    ['a', 'h1', 'ov', '10.0.0.1'],
    ['a2', 'h1', 'ov', '10.0.0.4'],
    ['b', 'h2', 'ov', '10.0.0.2'],
    ['c', 'h3', 'ov', '10.0.0.3'],
    ['x', 'h1', 'ov2', '10.0.0.1'],
    ['y', 'h2', 'ov2', '10.0.0.2'],
  ];
  for (const [vm, host, net, ipv4] of vms) t.vm(vm, host).vif(`v${vm}`, vm, net, { ipv4 });
  return t;
}

const udp = (src: string, dst: string): IpPacket => ({
  protocol: 'udp',
  src,
  dst,
  srcPort: 5000,
  dstPort: 53,
});

/** Every host's memory switch converged to `t`, all three on one underlay. */
async function fabricOf(t: TopologyBuilder) {
  const built = t.build();
  const fabric = new MemoryFabric();
  const drivers = new Map<Host, MemoryVSwitchDriver>();
  /** The hosts' BFD clock (ms), moved by hand: 100 ms intervals, down after 300 ms unheard. */
  const clock = { now: 1_000_000 };
  const bfd = (host: Host) => ({ host, underlay: fabric, bfdMs: BFD_MS, clock: () => clock.now });
  for (const host of HOSTS) {
    const driver = new MemoryVSwitchDriver(undefined, bfd(host));
    await reconcile(driver, desiredState(built, host));
    fabric.attach(host, driver.datapath);
    drivers.set(host, driver);
  }
  const vmOf = new Map(built.vifs.map((v) => [portName(v.id), v.vmId]));
  const macOf = (vm: string) => built.vifs.find((v) => v.vmId === vm)!.mac;
  const hostOf = (vm: string) => built.vms.find((v) => v.id === vm)!.residentHost!;
  /** What `vm` sending `frame` does: who got it (VM names, sorted) and the VXLAN packets. */
  const send = (vm: string, frame: OverlayFrame) => {
    const outcome = fabric.send(hostOf(vm), portName(`v${vm}`), frame);
    return {
      got: outcome.delivered.map((d) => vmOf.get(d.port)!).sort(),
      underlay: outcome.underlay,
    };
  };
  const reconverge = (host: Host) => reconcile(drivers.get(host)!, desiredState(t.build(), host));
  /** `host`'s tunnels' BFD states, as `remote host: state`, sorted (tunnels of every network). */
  const liveness = async (host: Host) => {
    const read = await drivers.get(host)!.tunnelLiveness();
    const tunnels = drivers
      .get(host)!
      .datapath.allBridges()
      .flatMap((b) => b.tunnels ?? []);
    return tunnels
      .map((t) => `${t.vni}→${t.remoteHost}: ${read.get(t.name)?.state ?? 'none'}`)
      .sort();
  };
  return { fabric, drivers, send, macOf, reconverge, vmOf, clock, bfd, liveness };
}

describe('memory fabric: overlay frames between hosts', () => {
  it('floods a broadcast to every VM of the network, once each, one VXLAN packet per host', async () => {
    const { send } = await fabricOf(pool());
    const { got, underlay } = send('a', { packet: 'arp' });
    expect(got).toEqual(['a2', 'b', 'c']);
    // Split horizon: h2 and h3 send nothing on, so each host got exactly one copy, from h1.
    expect(underlay.map((u) => [u.fromHost, u.toHost, u.vni, u.outcome]).sort()).toEqual([
      ['h1', 'h2', 7, 'delivered'],
      ['h1', 'h3', 7, 'delivered'],
    ]);
    expect(underlay.map((u) => [u.srcIp, u.dstIp]).sort()).toEqual([
      [ENDPOINT.h1, ENDPOINT.h2],
      [ENDPOINT.h1, ENDPOINT.h3],
    ]);
    expect(send('b', { packet: udp('10.0.0.2', '10.0.0.255') }).got).toEqual(['a', 'a2', 'c']);
  });

  it('delivers unicast only to the port holding the MAC; a local one never leaves the host', async () => {
    const { send, macOf } = await fabricOf(pool());
    const toC = send('a', { dstMac: macOf('c'), packet: udp('10.0.0.1', '10.0.0.3') });
    expect(toC.got).toEqual(['c']);
    // Unknown unicast (no MAC learning in this model): once to each host, taken only at h3.
    expect(toC.underlay.map((u) => u.toHost).sort()).toEqual(['h2', 'h3']);
    const local = send('a', { dstMac: macOf('a2'), packet: udp('10.0.0.1', '10.0.0.4') });
    expect(local).toEqual({ got: ['a2'], underlay: [] });
  });

  it('keeps networks with different VNIs apart, though they share hosts and addresses', async () => {
    const { send, fabric, macOf, vmOf } = await fabricOf(pool());
    expect(send('x', { packet: 'arp' }).got).toEqual(['y']);
    expect(send('a', { dstMac: macOf('y'), packet: udp('10.0.0.1', '10.0.0.2') }).got).toEqual([]);
    const at = (vni: number, srcIp: string = ENDPOINT.h1) =>
      fabric.receive('h2', srcIp, vni, { packet: 'arp' }).map((d) => vmOf.get(d.port));
    expect(at(7)).toEqual(['b']);
    expect(at(8)).toEqual(['y']);
    expect(at(9)).toEqual([]); // no network of that VNI on h2
    expect(at(7, '192.0.2.99')).toEqual([]); // no tunnel from that address
  });

  it('never sends what arrives from a tunnel on to another tunnel', async () => {
    const { fabric, vmOf } = await fabricOf(pool());
    const delivered = fabric.receive('h2', ENDPOINT.h3, 7, { packet: 'arp' });
    expect(delivered.map((d) => [d.host, vmOf.get(d.port)])).toEqual([['h2', 'b']]);
  });

  it('holds each end to its ACLs: the sender from-VM before any copy leaves, the receiver to-VM', async () => {
    const noUdpToC = pool().acl(
      'no-udp-to-c',
      { vifId: 'vc' },
      {
        direction: 'egress',
        match: { protocol: 'udp' },
      },
    );
    const broadcast = { packet: udp('10.0.0.1', '10.0.0.255') };
    let { send } = await fabricOf(noUdpToC);
    expect(send('a', broadcast).got).toEqual(['a2', 'b']);
    expect(send('a', { packet: 'arp' }).got).toEqual(['a2', 'b', 'c']);
    const noUdpFromA = pool().acl(
      'no-udp-from-a',
      { vifId: 'va' },
      {
        direction: 'ingress',
        match: { protocol: 'udp' },
      },
    );
    ({ send } = await fabricOf(noUdpFromA));
    expect(send('a', broadcast)).toEqual({ got: [], underlay: [] });
  });

  it('loses what goes to a host whose tunnel back is gone, until the drift pass repairs it', async () => {
    const { send, drivers, reconverge } = await fabricOf(pool());
    drivers.get('h3')!.drift.deletePort(tunnelPortName('ov', 'h1'));
    const lost = send('a', { packet: 'arp' });
    expect(lost.got).toEqual(['a2', 'b']);
    expect(lost.underlay.find((u) => u.toHost === 'h3')?.outcome).toBe('dropped');
    await reconverge('h3');
    expect(send('a', { packet: 'arp' }).got).toEqual(['a2', 'b', 'c']);
  });

  it('reaches a host again once it is back on the underlay, with its mesh rebuilt', async () => {
    const { send, fabric } = await fabricOf(pool());
    fabric.detach('h3');
    expect(send('a', { packet: 'arp' }).got).toEqual(['a2', 'b']);
    // The host restarts with an empty switch and converges it from the log.
    const fresh = new MemoryVSwitchDriver();
    await reconcile(fresh, desiredState(pool().build(), 'h3'));
    fabric.attach('h3', fresh.datapath);
    expect(send('a', { packet: 'arp' }).got).toEqual(['a2', 'b', 'c']);
  });
});

describe('memory fabric: BFD on the tunnels (issue 19)', () => {
  it('reads a stopped host down from its peers after the detect time, and up once it is back', async () => {
    const { fabric, clock, bfd, liveness, drivers } = await fabricOf(pool());
    expect(await liveness('h1')).toEqual(['7→h2: up', '7→h3: up', '8→h2: up']);
    fabric.detach('h3');
    clock.now += 3 * BFD_MS - 1; // just inside the detect time: still up
    expect(await liveness('h1')).toContain('7→h3: up');
    clock.now += 1;
    expect(await liveness('h1')).toEqual(['7→h2: up', '7→h3: down', '8→h2: up']);
    expect(await liveness('h2')).toEqual(['7→h1: up', '7→h3: down', '8→h1: up']);
    const read = await drivers.get('h1')!.tunnelLiveness();
    // As ovs-vswitchd says it in bfd_status: the state and BFD's diagnostic.
    expect(read.get(tunnelPortName('ov', 'h3'))).toEqual({
      state: 'down',
      diagnostic: 'Control Detection Time Expired',
    });

    // Restarted with an empty switch, converged from the log: heard again at once.
    const fresh = new MemoryVSwitchDriver(undefined, bfd('h3'));
    await reconcile(fresh, desiredState(pool().build(), 'h3'));
    fabric.attach('h3', fresh.datapath);
    expect(await liveness('h1')).toEqual(['7→h2: up', '7→h3: up', '8→h2: up']);
    drivers.set('h3', fresh);
    expect(await liveness('h3')).toEqual(['7→h1: up', '7→h2: up']);
  });

  it('reads a partition down on both sides, leaves the other tunnels up, and heals', async () => {
    const { fabric, clock, liveness, send } = await fabricOf(pool());
    await liveness('h1');
    await liveness('h2');
    fabric.partition('h2', 'h1');
    // Frames are lost across the cut at once; BFD says so after the detect time.
    expect(send('a', { packet: 'arp' }).got).toEqual(['a2', 'c']);
    clock.now += 3 * BFD_MS;
    expect(await liveness('h1')).toEqual(['7→h2: down', '7→h3: up', '8→h2: down']);
    expect(await liveness('h2')).toEqual(['7→h1: down', '7→h3: up', '8→h1: down']);
    expect(await liveness('h3')).toEqual(['7→h1: up', '7→h2: up']);
    fabric.heal('h1', 'h2');
    expect(await liveness('h1')).toEqual(['7→h2: up', '7→h3: up', '8→h2: up']);
    expect(send('a', { packet: 'arp' }).got).toEqual(['a2', 'b', 'c']);
  });

  it('hears nothing from a remote end that lacks the tunnel back, and never was up', async () => {
    const { drivers, liveness } = await fabricOf(pool());
    drivers.get('h3')!.drift.deletePort(tunnelPortName('ov', 'h1'));
    const read = await drivers.get('h1')!.tunnelLiveness();
    expect(read.get(tunnelPortName('ov', 'h3'))).toEqual({
      state: 'down',
      diagnostic: 'No Diagnostic',
    });
    expect(await liveness('h2')).toContain('7→h3: up');
  });

  it('checks nothing without an underlay, as the OVS driver with BFD off', async () => {
    const driver = new MemoryVSwitchDriver();
    await reconcile(driver, desiredState(pool().build(), 'h1'));
    expect(await driver.tunnelLiveness()).toEqual(new Map());
  });
});
