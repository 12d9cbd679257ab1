import { describe, expect, it } from 'vitest';
import { desiredState } from '../../model/desired-state.js';
import { bridgeName, portName } from '../../model/naming.js';
import { reconcile } from '../../reconcile.js';
import { allowUdpIn } from '../../testing/frame-probes.js';
import { topology, type TopologyBuilder } from '../../testing/topology-builder.js';
import type { IpPacket } from './acl-conntrack.js';
import { MemoryVSwitchDriver } from './memory-driver.js';

/** a denies by default (a security group), b has no ACLs, s sends. */
const IPS = { a: '10.0.0.1', b: '10.0.0.2', s: '10.0.0.3' } as const;
type Vm = keyof typeof IPS;
const UDP_PORT = 9999;

const udp = (dst: string, dstPort = UDP_PORT): IpPacket => ({
  protocol: 'udp',
  src: IPS.s,
  dst,
  srcPort: 5000,
  dstPort,
});
const BROADCAST = udp('255.255.255.255');
const SUBNET_BROADCAST = udp('10.0.0.255');
const MULTICAST = udp('239.1.2.3', UDP_PORT - 1);

const pool = () => {
  const t = topology().host('h1').private('lan');
  for (const [vm, ipv4] of Object.entries(IPS)) t.vm(vm, 'h1').vif(`v${vm}`, vm, 'lan', { ipv4 });
  return t.group('deny', ['va']);
};
const allowUdp = (t: TopologyBuilder) => allowUdpIn(t, 'deny', UDP_PORT);

async function lan(t: TopologyBuilder) {
  const driver = new MemoryVSwitchDriver();
  await reconcile(driver, desiredState(t.build(), 'h1'));
  const names = new Map(Object.keys(IPS).map((vm) => [portName(`v${vm}`), vm as Vm]));
  const flood = (from: Vm | 'up', packet: IpPacket | 'arp') =>
    driver.datapath
      .flood(bridgeName('lan'), from === 'up' ? undefined : portName(`v${from}`), packet)
      .map((port) => names.get(port))
      .sort();
  return { flood };
}

describe('memory datapath: flooded frames through to-VM ACLs', () => {
  it('without ACLs, floods to every other port', async () => {
    const { flood } = await lan(
      topology()
        .host('h1')
        .private('lan')
        .vm('a', 'h1')
        .vif('va', 'a', 'lan', { ipv4: IPS.a })
        .vm('b', 'h1')
        .vif('vb', 'b', 'lan', { ipv4: IPS.b })
        .vm('s', 'h1')
        .vif('vs', 's', 'lan', { ipv4: IPS.s }),
    );
    expect(flood('s', BROADCAST)).toEqual(['a', 'b']);
  });

  it('gives a default-deny port no IP broadcast or multicast, from a VM or the uplink', async () => {
    const { flood } = await lan(pool());
    for (const packet of [BROADCAST, SUBNET_BROADCAST, MULTICAST]) {
      expect(flood('s', packet)).toEqual(['b']);
      // From another host (not the same connection as s's, which was just committed).
      expect(flood('up', { ...packet, src: '10.0.0.9' })).toEqual(['b', 's']);
    }
  });

  it('gives ARP to every port, the default-deny one included', async () => {
    const { flood } = await lan(pool());
    expect(flood('s', 'arp')).toEqual(['a', 'b']);
    expect(flood('a', 'arp')).toEqual(['b', 's']);
  });

  it('lets the broadcast in under an allow rule for its port, and nothing else', async () => {
    const { flood } = await lan(allowUdp(pool()));
    expect(flood('s', BROADCAST)).toEqual(['a', 'b']);
    expect(flood('s', SUBNET_BROADCAST)).toEqual(['a', 'b']);
    expect(flood('s', MULTICAST)).toEqual(['b']);
  });

  it('applies a to-VM drop rule of a port that otherwise allows', async () => {
    const t = pool()
      .group('deny', ['va'], 'allow')
      .acl(
        'no-udp',
        { groupId: 'deny' },
        { direction: 'egress', action: 'drop', priority: 50, match: { protocol: 'udp' } },
      );
    const { flood } = await lan(t);
    expect(flood('s', BROADCAST)).toEqual(['b']);
    expect(flood('s', { ...BROADCAST, protocol: 'tcp' })).toEqual(['a', 'b']);
  });
});
