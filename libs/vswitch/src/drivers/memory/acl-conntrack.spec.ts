import { describe, expect, it } from 'vitest';
import { desiredState } from '../../model/desired-state.js';
import { bridgeName, portName } from '../../model/naming.js';
import { reconcile } from '../../reconcile.js';
import { topology, type TopologyBuilder } from '../../testing/topology-builder.js';
import type { IpPacket } from './acl-conntrack.js';
import { MemoryVSwitchDriver } from './memory-driver.js';

const A = '10.0.0.1';
const B = '10.0.0.2';
const ping = (src: string, dst: string, id = 1): IpPacket => ({
  protocol: 'icmp',
  src,
  dst,
  srcPort: id,
  dstPort: id,
});
const pong = (p: IpPacket): IpPacket => ({
  ...p,
  src: p.dst,
  dst: p.src,
  srcPort: p.dstPort,
  dstPort: p.srcPort,
});
const tcp = (src: string, dst: string, dstPort: number, srcPort = 40000): IpPacket => ({
  protocol: 'tcp',
  src,
  dst,
  srcPort,
  dstPort,
});

const base = () =>
  topology()
    .host('h1')
    .private('lan')
    .vm('a', 'h1')
    .vif('va', 'a', 'lan', { ipv4: A })
    .vm('b', 'h1')
    .vif('vb', 'b', 'lan', { ipv4: B });

/** A switch converged on `t`, and a sender of packets between its ports ('up': the uplink). */
async function lan(t: TopologyBuilder) {
  const driver = new MemoryVSwitchDriver();
  const converge = (next: TopologyBuilder) => reconcile(driver, desiredState(next.build(), 'h1'));
  await converge(t);
  const port = (vm: 'a' | 'b' | 'up') => (vm === 'up' ? undefined : portName(`v${vm}`));
  const send = (from: 'a' | 'b' | 'up', to: 'a' | 'b' | 'up', packet: IpPacket) =>
    driver.datapath.send(bridgeName('lan'), port(from), port(to), packet);
  return { send, converge, driver };
}

const denyIcmpToA = { direction: 'egress', match: { protocol: 'icmp' } } as const;

describe('memory datapath: stateful ACLs', () => {
  it('admits the replies of a VM own pings under a rule dropping ICMP to it', async () => {
    const { send } = await lan(base().acl('in', { vifId: 'va' }, denyIcmpToA));
    const out = ping(A, B);
    expect(send('a', 'b', out)).toBe('delivered');
    expect(send('b', 'a', pong(out))).toBe('delivered');
    expect(send('b', 'a', ping(B, A, 2))).toBe('dropped');
    const remote = ping(A, '10.0.0.9', 3);
    expect(send('a', 'up', remote)).toBe('delivered');
    expect(send('up', 'a', pong(remote))).toBe('delivered');
    expect(send('up', 'a', ping('10.0.0.9', A, 4))).toBe('dropped');
  });

  it('keeps outbound TCP under "deny inbound TCP" and refuses inbound connections', async () => {
    const rule = { direction: 'egress', match: { protocol: 'tcp' } } as const;
    const { send } = await lan(base().acl('in', { vifId: 'va' }, rule));
    const out = tcp(A, B, 22);
    expect(send('a', 'b', out)).toBe('delivered');
    expect(send('b', 'a', pong(out))).toBe('delivered');
    expect(send('b', 'a', tcp(B, A, 22))).toBe('dropped');
  });

  it('needs both the sender and the receiver to allow a new connection', async () => {
    const rule = { direction: 'ingress', match: { protocol: 'tcp' } } as const;
    const { send } = await lan(base().acl('out', { vifId: 'vb' }, rule));
    expect(send('b', 'a', tcp(B, A, 80))).toBe('dropped');
    expect(send('a', 'b', tcp(A, B, 80))).toBe('delivered');
  });

  it('keeps established connections across rules added that refuse new ones', async () => {
    const { send, converge } = await lan(base());
    const session = tcp(B, A, 22);
    expect(send('b', 'a', session)).toBe('delivered');
    await converge(
      base()
        .acl('in', { vifId: 'va' }, { direction: 'egress', match: { protocol: 'tcp' } })
        .acl('out', { vifId: 'vb' }, { direction: 'ingress', match: { protocol: 'tcp' } }),
    );
    expect(send('b', 'a', session)).toBe('delivered');
    expect(send('a', 'b', pong(session))).toBe('delivered');
    expect(send('b', 'a', tcp(B, A, 22, 40001))).toBe('dropped');
  });

  it('commits nothing for a stateless allow: its replies need a rule of their own', async () => {
    const t = (stateless: boolean) =>
      base()
        .acl('in', { vifId: 'va' }, denyIcmpToA)
        .acl(
          'out',
          { vifId: 'va' },
          {
            direction: 'ingress',
            priority: 200,
            action: 'allow',
            stateless,
            match: { protocol: 'icmp' },
          },
        );
    const stateful = await lan(t(false));
    expect(stateful.send('a', 'b', ping(A, B))).toBe('delivered');
    expect(stateful.send('b', 'a', pong(ping(A, B)))).toBe('delivered');
    const stateless = await lan(t(true));
    expect(stateless.send('a', 'b', ping(A, B))).toBe('delivered');
    expect(stateless.send('b', 'a', pong(ping(A, B)))).toBe('dropped');
  });

  it('keeps conntrack per network and ICMPv4-only for a family-less icmp rule', async () => {
    const { send } = await lan(base().acl('in', { vifId: 'va' }, denyIcmpToA));
    expect(send('b', 'a', ping('fd00::2', 'fd00::1'))).toBe('delivered');
    const scoped = await lan(
      base().acl(
        'in',
        { vifId: 'va' },
        { ...denyIcmpToA, match: { protocol: 'icmp', cidr: '10.0.0.0/31' } },
      ),
    );
    expect(scoped.send('b', 'a', ping(B, A))).toBe('delivered'); // 10.0.0.2 is outside /31
    expect(scoped.send('up', 'a', ping('10.0.0.0', A))).toBe('dropped');
  });

  it('delivers nothing to or from a pending port', async () => {
    const { send, driver } = await lan(base());
    await driver.apply([
      {
        kind: 'setPortForwarding',
        bridge: bridgeName('lan'),
        port: portName('va'),
        forwarding: false,
      },
    ]);
    expect(send('b', 'a', ping(B, A))).toBe('dropped');
    expect(send('a', 'b', ping(A, B))).toBe('dropped');
  });
});

describe('memory datapath: hits per ACL rule', () => {
  it('counts what each rule decided, on the port it sits on, and not replies', async () => {
    const allowTcp = { direction: 'egress', priority: 200, match: { protocol: 'tcp' } } as const;
    const { send, driver } = await lan(
      base()
        .acl('drop-icmp', { vifId: 'va' }, { ...denyIcmpToA, action: 'drop' })
        .acl('allow-tcp', { vifId: 'va' }, { ...allowTcp, action: 'allow' })
        .acl('udp', { vifId: 'va' }, { direction: 'egress', match: { protocol: 'udp' } }),
    );
    expect(send('b', 'a', { ...ping(B, A), bytes: 98 })).toBe('dropped');
    expect(send('b', 'a', { ...ping(B, A, 2), bytes: 98 })).toBe('dropped');
    const session = { ...tcp(B, A, 22), bytes: 74 };
    expect(send('b', 'a', session)).toBe('delivered');
    expect(send('a', 'b', pong(session))).toBe('delivered');
    expect(await driver.ruleCounters()).toEqual([
      { port: portName('va'), rule: 'allow-tcp', packets: 1, bytes: 74 },
      { port: portName('va'), rule: 'drop-icmp', packets: 2, bytes: 196 },
    ]);
  });
});

describe('memory datapath: security groups, address sets, default deny', () => {
  const R = '10.0.0.9'; // a VM on the other host, reached over the uplink
  const withRemote = () => base().vm('r', 'h2').vif('vr', 'r', 'lan', { ipv4: R });
  const everythingOut = { direction: 'ingress', action: 'allow' } as const;
  const sshFrom = (remote: { remoteGroupId: string } | { addressSetId: string }) =>
    ({
      direction: 'egress',
      action: 'allow',
      match: { protocol: 'tcp', portFrom: 22, ...remote },
    }) as const;

  it('under a "deny inbound" group keeps a VM own connections and refuses new inbound', async () => {
    const { send } = await lan(
      withRemote().group('deny-in', ['va']).acl('out', { groupId: 'deny-in' }, everythingOut),
    );
    const out = ping(A, B);
    expect(send('a', 'b', out)).toBe('delivered');
    expect(send('b', 'a', pong(out))).toBe('delivered');
    const session = tcp(A, R, 443);
    expect(send('a', 'up', session)).toBe('delivered');
    expect(send('up', 'a', pong(session))).toBe('delivered');
    expect(send('b', 'a', ping(B, A, 2))).toBe('dropped');
    expect(send('up', 'a', tcp(R, A, 22))).toBe('dropped');
    expect(send('b', 'a', { protocol: 'udp', src: B, dst: A, srcPort: 5000, dstPort: 53 })).toBe(
      'dropped',
    );
  });

  it('denies both ways with no rule at all, for a group or a network that denies', async () => {
    for (const t of [base().group('locked', ['va']), base().networkDefault('lan')]) {
      const { send } = await lan(t);
      expect(send('a', 'b', ping(A, B))).toBe('dropped');
      expect(send('b', 'a', ping(B, A, 2))).toBe('dropped');
    }
    // A group that allows by default changes nothing.
    const open = await lan(base().group('open', ['va'], 'allow'));
    expect(open.send('b', 'a', ping(B, A))).toBe('delivered');
  });

  it('admits a remote group member, and a VIF once it joins the group (on another host)', async () => {
    const t = (members: string[]) =>
      withRemote()
        .group('locked', ['va'])
        .group('admins', members, 'allow')
        .acl('ssh', { groupId: 'locked' }, sshFrom({ remoteGroupId: 'admins' }));
    const { send, converge } = await lan(t(['vb']));
    expect(send('b', 'a', tcp(B, A, 22))).toBe('delivered');
    expect(send('b', 'a', tcp(B, A, 23))).toBe('dropped');
    expect(send('up', 'a', tcp(R, A, 22))).toBe('dropped');
    await converge(t(['vb', 'vr']));
    expect(send('up', 'a', tcp(R, A, 22, 40001))).toBe('delivered');
  });

  it('follows an address set: its new content decides new connections', async () => {
    const t = (cidrs: string[]) =>
      withRemote()
        .group('locked', ['va'])
        .addressSet('admins', cidrs)
        .acl('ssh', { vifId: 'va' }, sshFrom({ addressSetId: 'admins' }));
    const { send, converge } = await lan(t([`${B}/32`]));
    expect(send('b', 'a', tcp(B, A, 22))).toBe('delivered');
    expect(send('up', 'a', tcp(R, A, 22))).toBe('dropped');
    await converge(t(['10.0.0.8/29']));
    expect(send('up', 'a', tcp(R, A, 22, 40001))).toBe('delivered');
    expect(send('b', 'a', tcp(B, A, 22, 40002))).toBe('dropped');
    // An empty set admits nothing, and the port still denies.
    await converge(t([]));
    expect(send('up', 'a', tcp(R, A, 22, 40003))).toBe('dropped');
  });

  it('lets DHCP, DHCPv6, ND and RS/RA through a default deny, each in its direction', async () => {
    const { send } = await lan(base().group('locked', ['va']));
    const udp = (src: string, dst: string, srcPort: number, dstPort: number): IpPacket => ({
      protocol: 'udp',
      src,
      dst,
      srcPort,
      dstPort,
    });
    const icmp6 = (src: string, dst: string, icmpType: number): IpPacket => ({
      protocol: 'icmp',
      src,
      dst,
      icmpType,
    });
    expect(send('a', 'up', udp('0.0.0.0', '255.255.255.255', 68, 67))).toBe('delivered');
    expect(send('up', 'a', udp('10.0.0.254', A, 67, 68))).toBe('delivered');
    expect(send('a', 'up', udp('fe80::1', 'ff02::1:2', 546, 547))).toBe('delivered');
    expect(send('up', 'a', udp('fe80::fe', 'fe80::1', 547, 546))).toBe('delivered');
    for (const type of [133, 134, 135, 136]) {
      expect(send('a', 'b', icmp6('fe80::1', 'fe80::2', type))).toBe('delivered');
      expect(send('b', 'a', icmp6('fe80::2', 'fe80::1', type))).toBe('delivered');
    }
    // Not the other way round (a VM as DHCP server), and not other ICMPv6 or UDP.
    expect(send('up', 'a', udp('10.0.0.254', A, 68, 67))).toBe('dropped');
    expect(send('b', 'a', icmp6('fe80::2', 'fe80::1', 128))).toBe('dropped');
    expect(send('b', 'a', udp(B, A, 67, 69))).toBe('dropped');
  });
});
