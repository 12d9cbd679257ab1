/**
 * Flooded frames and to-VM ACLs on real Open vSwitch (userspace datapath), two hosts: a VM in a
 * default-deny security group gets no IP broadcast or multicast it did not allow, from its own
 * host or over the uplink, while a VM without ACLs on the same network gets them all; ARP and
 * other non-IP frames still reach it; an allow rule for the UDP port lets the broadcast in.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { missingOvsLab, realPart } from '../../../../../test/support/real-part.js';
import { desiredState } from '../../model/desired-state.js';
import { portName } from '../../model/naming.js';
import { allowUdpIn, framePeer } from '../../testing/frame-probes.js';
import { missingScapy, NetnsLab } from '../../testing/netns-lab.js';
import { topology, type TopologyBuilder } from '../../testing/topology-builder.js';
import { run } from './exec.js';

const part = realPart(
  'Flooded frames and ACLs on Open vSwitch',
  missingOvsLab(['ovs-vsctl', 'ovs-ofctl', 'ovsdb-server', 'ip', 'ping']) ?? missingScapy(),
);

const mac = (n: number) => `02:00:00:00:07:${n.toString(16).padStart(2, '0')}`;

/** VM → [host, MAC number, IPv4]. `a` is the one that denies; `r` sends over the uplink. */
const VMS = {
  a: ['h1', 1, '10.61.0.1'],
  b: ['h1', 2, '10.61.0.2'],
  s: ['h1', 3, '10.61.0.3'],
  r: ['h2', 4, '10.61.0.4'],
} as const;
type Vm = keyof typeof VMS;
const UDP_PORT = 9999;

function pool(): TopologyBuilder {
  const t = topology().host('h1').host('h2').external('lan', 'eth0');
  for (const [vm, [host, n, ipv4]] of Object.entries(VMS)) {
    // Senders without port security, which admits IP and ARP only (the non-IP probe).
    const portSecurity = vm === 'a' || vm === 'b';
    t.vm(vm, host).vif(`v-${vm}`, vm, 'lan', { mac: mac(n), ipv4, portSecurity });
  }
  return t;
}

/** A default-deny group holding `a`: everything out of it allowed, nothing new into it. */
const denyA = () =>
  pool()
    .group('deny', ['v-a'])
    .acl('out', { groupId: 'deny' }, { direction: 'ingress', action: 'allow' });

/** The flooded probes `from` sends: IP broadcast (all-ones and subnet), multicast, non-IP. */
function probes(from: Vm, tag: string, port = UDP_PORT): string[] {
  const [, n, ip] = VMS[from];
  const udp = (dst: string, dmac: string, name: string, dport = port) =>
    `Ether(src='${mac(n)}',dst='${dmac}')/IP(src='${ip}',dst='${dst}',ttl=1)/` +
    `UDP(sport=5000,dport=${dport})/Raw(b'probe-${name}-${tag}')`;
  return [
    udp('255.255.255.255', 'ff:ff:ff:ff:ff:ff', 'bcast'),
    udp('10.61.0.255', 'ff:ff:ff:ff:ff:ff', 'subnet'),
    udp('239.1.2.3', '01:00:5e:01:02:03', 'mcast', UDP_PORT - 1),
    // Last, a frame every port must get (not IP: no ACL applies), which ends the capture.
    `Ether(src='${mac(n)}',dst='ff:ff:ff:ff:ff:ff',type=0x88b5)/Raw(b'probe-raw-${tag}')`,
  ];
}

describe.skipIf(part.skip)(
  'OVS driver: flooded frames through to-VM ACLs on real Open vSwitch',
  () => {
    const lab = new NetnsLab(`pnf${process.pid}`);
    const ns = {} as Record<Vm, string>;
    const converge = (builder: TopologyBuilder) => lab.converge(builder.build());

    const peer = (vm: Vm, mode: 'send' | 'capture') => framePeer(lab, ns[vm], mode);

    /** The probes each of `receivers` got when `from` sent its flooded probes. */
    async function flood(from: Vm, receivers: Vm[], tag: string, port?: number) {
      const captures = await Promise.all(receivers.map((vm) => peer(vm, 'capture')));
      const sender = await peer(from, 'send');
      for (const frame of probes(from, tag, port)) sender.child.stdin!.write(`${frame}\n`);
      await Promise.all(captures.map((c) => c.waitFor(`probe-raw-${tag}`, 5_000)));
      await new Promise((resolve) => setTimeout(resolve, 500));
      sender.child.kill();
      captures.forEach((c) => c.child.kill());
      return Object.fromEntries(
        receivers.map((vm, i) => [
          vm,
          captures[i]!.seen.filter((line) => line.startsWith('probe-')).sort(),
        ]),
      );
    }

    beforeAll(async () => {
      part.assertPresent();
      await lab.start();
      await lab.addHost('h1');
      await lab.addHost('h2');
      Object.assign(ns, await lab.addVms(VMS, mac));
    });
    afterAll(async () => {
      await lab.stop();
    });

    const all = (tag: string) =>
      ['bcast', 'mcast', 'raw', 'subnet'].map((name) => `probe-${name}-${tag}`);

    it('without ACLs, every VM gets every flooded probe (the probes reach)', async () => {
      await converge(pool());
      expect(await flood('s', ['a', 'b'], 'open')).toEqual({ a: all('open'), b: all('open') });
    });

    it('a default-deny VM gets no IP broadcast or multicast, from its host or the uplink', async () => {
      await converge(denyA());
      expect(await flood('s', ['a', 'b'], 'local')).toEqual({
        a: ['probe-raw-local'],
        b: all('local'),
      });
      expect(await flood('r', ['a', 'b'], 'remote')).toEqual({
        a: ['probe-raw-remote'],
        b: all('remote'),
      });
      // The drift pass takes the flood flow and the ports' no-flood config as desired.
      expect(await lab.host('h1').driver.sweep(desiredState(denyA().build(), 'h1'))).toEqual([]);
    });

    it('ARP still reaches the default-deny VM: its own ping works, and it answers ARP', async () => {
      await converge(denyA());
      expect(await lab.ping(ns.a, VMS.s[2])).toBe(true);
      await lab.exec(ns.s, ['ip', 'neigh', 'flush', 'all']);
      expect(await lab.ping(ns.s, VMS.a[2])).toBe(false); // ICMP is denied, ARP is not
      expect(await lab.exec(ns.s, ['ip', 'neigh', 'show', VMS.a[2]])).toContain(mac(1));
    });

    it('an allow rule for the UDP port lets the broadcast in, and nothing else', async () => {
      const allowed = allowUdpIn(denyA(), 'deny', UDP_PORT);
      await converge(allowed);
      const got = await flood('s', ['a', 'b'], 'allowed');
      expect(got.a).toEqual(['probe-bcast-allowed', 'probe-raw-allowed', 'probe-subnet-allowed']);
      expect(got.b).toEqual(all('allowed'));
      expect(await lab.host('h1').driver.sweep(desiredState(allowed.build(), 'h1'))).toEqual([]);
    });

    it('the drift pass puts back a lost no-flood config and reports it', async () => {
      await converge(denyA());
      const bridge = (await lab.vsctl('h1', ['port-to-br', portName('v-a')])).trim();
      const target = `unix:${lab.host('h1').runDir}/${bridge}.mgmt`;
      // OFPPC_NO_FLOOD is OpenFlow 1.0's (flows.ts, floodFlows).
      await run('ovs-ofctl', ['-O', 'OpenFlow10', 'mod-port', target, portName('v-a'), 'flood']);
      const findings = await lab.host('h1').driver.sweep(desiredState(denyA().build(), 'h1'));
      expect(findings).toEqual([
        expect.objectContaining({
          change: 'changed',
          expected: `port ${portName('v-a')} config no-flood`,
        }),
      ]);
      expect(await flood('s', ['a'], 'swept')).toEqual({ a: ['probe-raw-swept'] });
    });
  },
);
