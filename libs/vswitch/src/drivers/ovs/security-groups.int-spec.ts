/**
 * Security groups, address sets and default deny on real Open vSwitch (userspace datapath), two
 * hosts: a "deny inbound" group keeps a VM's own connections and refuses new inbound ones; a
 * rule whose remote is a group admits its members and follows a membership change; a rule whose
 * remote is an address set follows the set; neighbour discovery and DHCP(v6) pass a default
 * deny. Every refused packet sits beside one that must pass.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { missingOvsLab, realPart } from '../../../../../test/support/real-part.js';
import { desiredState } from '../../model/desired-state.js';
import { portName } from '../../model/naming.js';
import { framePeer } from '../../testing/frame-probes.js';
import { missingScapy, NetnsLab } from '../../testing/netns-lab.js';
import { topology, type TopologyBuilder } from '../../testing/topology-builder.js';

const part = realPart(
  'Security groups on Open vSwitch',
  missingOvsLab(['ovs-vsctl', 'ovs-ofctl', 'ovsdb-server', 'ip', 'ping']) ?? missingScapy(),
);

const mac = (n: number) => `02:00:00:00:06:${n.toString(16).padStart(2, '0')}`;

/**
 * VM → [host, MAC number, IPv4, IPv6]. `r` is on the other host, over the uplink. `c` has no
 * port security, so it may answer as a DHCP server (port security drops server replies).
 */
const VMS = {
  a: ['h1', 1, '10.60.0.1', 'fd60::1'],
  b: ['h1', 2, '10.60.0.2', 'fd60::2'],
  c: ['h1', 3, '10.60.0.3', 'fd60::3'],
  r: ['h2', 4, '10.60.0.4', 'fd60::4'],
} as const;
type Vm = keyof typeof VMS;
const PORT = 7000;

function pool(): TopologyBuilder {
  const t = topology().host('h1').host('h2').external('lan', 'eth0');
  for (const [vm, [host, n, ipv4, ipv6]] of Object.entries(VMS)) {
    const portSecurity = vm !== 'c';
    t.vm(vm, host).vif(`v-${vm}`, vm, 'lan', { mac: mac(n), ipv4, ipv6, portSecurity });
  }
  return t;
}

/** Everything out of the group's VMs (`ingress`: from the VM), as a security group's egress. */
const allOut = { direction: 'ingress', action: 'allow' } as const;
/** New TCP to PORT into the group's VMs from `remote`. */
const tcpIn = (remote: { remoteGroupId: string } | { addressSetId: string }) =>
  ({
    direction: 'egress',
    action: 'allow',
    priority: 50,
    match: { protocol: 'tcp', portFrom: PORT, ...remote },
  }) as const;

describe.skipIf(part.skip)(
  'OVS driver: security groups and default deny on real Open vSwitch',
  () => {
    const lab = new NetnsLab(`png${process.pid}`);
    const ns = {} as Record<Vm, string>;
    const ping = (from: Vm, to: Vm) => lab.ping(ns[from], VMS[to][2]);
    const connects = (from: Vm, to: Vm) => lab.connects(ns[from], VMS[to][2], PORT);
    const converge = (builder: TopologyBuilder) => lab.converge(builder.build());

    const framesPeer = (vm: Vm, mode: 'send' | 'capture') => framePeer(lab, ns[vm], mode);

    /**
     * Sends each frame from `from` and returns the probes `to` received: judged once the last
     * frame (a probe that must arrive) has, plus a grace period for anything sent before it.
     */
    async function delivered(from: Vm, to: Vm, frames: string[]): Promise<string[]> {
      const capture = await framesPeer(to, 'capture');
      const sender = await framesPeer(from, 'send');
      for (const frame of frames) sender.child.stdin!.write(`${frame}\n`);
      const last = /Raw\(b'(probe-[\w-]+)'\)/.exec(frames.at(-1) ?? '')?.[1] ?? '';
      await capture.waitFor(last, 5_000);
      await new Promise((resolve) => setTimeout(resolve, 500));
      sender.child.kill();
      capture.child.kill();
      return [...capture.seen].filter((line) => line.startsWith('probe-')).sort();
    }

    beforeAll(async () => {
      part.assertPresent();
      await lab.start();
      await lab.addHost('h1');
      await lab.addHost('h2');
      for (const [vm, [host, n, ipv4, ipv6]] of Object.entries(VMS)) {
        const netns = await lab.addVm(vm, host, portName(`v-${vm}`), mac(n), `${ipv4}/24`);
        ns[vm as Vm] = netns;
        await lab.exec(netns, ['ip', '-6', 'addr', 'add', `${ipv6}/64`, 'dev', 'eth0', 'nodad']);
        await lab.noTxChecksum(netns);
        lab.serveTcpEcho(netns, PORT);
      }
    });
    afterAll(async () => {
      await lab.stop();
    });

    it('under a "deny inbound" group, delivers the replies of a VM own ping and TCP only', async () => {
      await converge(pool());
      expect(await ping('b', 'a')).toBe(true);
      expect(await connects('r', 'a')).toBe(true);
      const denyIn = pool().group('deny-in', ['v-a']).acl('out', { groupId: 'deny-in' }, allOut);
      await converge(denyIn);
      expect(await ping('a', 'b')).toBe(true);
      expect(await ping('a', 'r')).toBe(true);
      expect(await connects('a', 'b')).toBe(true);
      expect(await connects('a', 'r')).toBe(true);
      expect(await ping('b', 'a')).toBe(false);
      expect(await ping('r', 'a')).toBe(false);
      expect(await connects('b', 'a')).toBe(false);
      expect(await connects('r', 'a')).toBe(false);
      expect(await ping('b', 'c')).toBe(true); // the group's policy is A's only
      // The drift pass by content takes the default-deny flows as desired: nothing to repair.
      expect(await lab.host('h1').driver.sweep(desiredState(denyIn.build(), 'h1'))).toEqual([]);
      expect(await ping('b', 'a')).toBe(false);
      // Without a rule, a group that denies also stops what the VM starts.
      await converge(pool().group('deny-in', ['v-a']));
      expect(await ping('a', 'b')).toBe(false);
    });

    it('admits TCP from a remote group member only, and a VIF once it joins the group', async () => {
      const t = (admins: string[]) =>
        pool()
          .group('locked', ['v-a'])
          .group('admins', admins, 'allow')
          .acl('ssh', { groupId: 'locked' }, tcpIn({ remoteGroupId: 'admins' }));
      await converge(t(['v-b']));
      expect(await connects('b', 'a')).toBe(true);
      expect(await connects('c', 'a')).toBe(false);
      expect(await connects('r', 'a')).toBe(false);
      // r, on the other host, joins: h1 learns its address from the group alone.
      await converge(t(['v-b', 'v-r']));
      expect(await connects('r', 'a')).toBe(true);
      expect(await connects('b', 'a')).toBe(true);
      expect(await connects('c', 'a')).toBe(false);
      expect(await ping('r', 'a')).toBe(false); // the rule admits TCP to PORT, nothing else
    });

    it('admits what an address set lists, and follows the set when it changes', async () => {
      const t = (cidrs: string[]) =>
        pool()
          .group('locked', ['v-a'])
          .addressSet('ops', cidrs)
          .acl('ops-in', { vifId: 'v-a' }, tcpIn({ addressSetId: 'ops' }));
      await converge(t(['10.60.0.3/32']));
      expect(await connects('c', 'a')).toBe(true);
      expect(await connects('b', 'a')).toBe(false);
      await converge(t(['10.60.0.2/32', '10.60.0.4/32']));
      expect(await connects('c', 'a')).toBe(false);
      expect(await connects('b', 'a')).toBe(true);
      expect(await connects('r', 'a')).toBe(true);
      await converge(t([]));
      expect(await connects('b', 'a')).toBe(false);
    });

    it('lets neighbour discovery through a default deny: IPv6 of a VM own works', async () => {
      await converge(pool().group('locked', ['v-a']).acl('out', { groupId: 'locked' }, allOut));
      // a's solicitation goes out, b's advertisement comes in (neither is a tracked reply).
      await lab.exec(ns.a, ['ip', '-6', 'neigh', 'flush', 'all']);
      await lab.exec(ns.b, ['ip', '-6', 'neigh', 'flush', 'all']);
      expect(await lab.ping(ns.a, VMS.b[3])).toBe(true);
      expect(await lab.ping(ns.a, VMS.r[3])).toBe(true);
      await lab.exec(ns.b, ['ip', '-6', 'neigh', 'flush', 'all']);
      expect(await lab.ping(ns.b, VMS.a[3])).toBe(false);
    });

    it('lets DHCP and DHCPv6 client-server traffic through a default deny, and nothing else', async () => {
      await converge(pool().group('locked', ['v-a']));
      const [a, b, c] = [VMS.a, VMS.b, VMS.c];
      const udp = (src: Vm, dst: string, l3: string, sport: number, dport: number, probe: string) =>
        `Ether(src='${mac(VMS[src][1])}',dst='${dst}')/${l3}/UDP(sport=${sport},dport=${dport})/Raw(b'probe-${probe}')`;
      const toA = `${mac(a[1])}`;
      const v4 = (src: string, dst: string) => `IP(src='${src}',dst='${dst}')`;
      const v6 = (src: string, dst: string) => `IPv6(src='${src}',dst='${dst}')`;
      // Into a: a server's offer and DHCPv6 reply pass; the same server's other UDP does not.
      expect(
        await delivered('c', 'a', [
          udp('c', toA, v4(c[2], a[2]), 67, 69, 'other-udp'),
          udp('b', toA, v4(b[2], a[2]), 68, 67, 'wrong-way'),
          udp('b', toA, v6(b[3], a[3]), 547, 546, 'dhcpv6-reply'),
          udp('b', toA, v4(b[2], a[2]), 67, 68, 'dhcp-offer'),
        ]),
      ).toEqual(['probe-dhcp-offer', 'probe-dhcpv6-reply']);
      // Out of a: its discover and DHCPv6 solicit pass; other UDP it starts does not.
      const toB = mac(b[1]);
      const broadcast = 'ff:ff:ff:ff:ff:ff';
      expect(
        await delivered('a', 'b', [
          udp('a', toB, v4(a[2], b[2]), 5000, 53, 'dns'),
          udp('a', '33:33:00:01:00:02', v6(a[3], 'ff02::1:2'), 546, 547, 'dhcpv6-solicit'),
          udp('a', broadcast, v4('0.0.0.0', '255.255.255.255'), 68, 67, 'dhcp-discover'),
        ]),
      ).toEqual(['probe-dhcp-discover', 'probe-dhcpv6-solicit']);
    });
  },
);
