/**
 * The port-security proof matrix on real Open vSwitch (userspace datapath): a VM namespace sends
 * each frame of testing/port-security-cases.ts, crafted with scapy (Debian's python3-scapy) and
 * written byte for byte to its eth0 through a packet socket; a receiver namespace on the same
 * network captures every frame it gets. A case holds when the frame arrives exactly when it
 * should. Each frame is followed by a legitimate sentinel from the same VM, so "not delivered"
 * is judged once the sentinel, sent after it down the same port, has arrived.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { missingOvsLab, realPart } from '../../../../../test/support/real-part.js';
import { digest } from '../../model/canonical.js';
import { desiredState } from '../../model/desired-state.js';
import { portName } from '../../model/naming.js';
import type { SecuredAddress } from '../../model/port-security.js';
import { reconcile } from '../../reconcile.js';
import { missingScapy, NetnsLab, SCAPY_PYTHON as PYTHON } from '../../testing/netns-lab.js';
import {
  CASES,
  RECEIVER,
  SECURED,
  V4_ONLY,
  type PortSecurityCase,
} from '../../testing/port-security-cases.js';
import { topology } from '../../testing/topology-builder.js';
import type { Frame } from '../memory/port-admission.js';
import { ipv6Bytes } from './announce.js';

const lab = realPart(
  'Port security on Open vSwitch',
  missingOvsLab(['ovs-vsctl', 'ovs-ofctl', 'ovsdb-server', 'ip']) ?? missingScapy(),
);

/**
 * `send`: reads one scapy expression per line, writes its bytes to eth0, echoes them in hex.
 * `capture`: prints every frame eth0 receives, in hex. Packet sockets, so nothing is rebuilt.
 */
const PEER = `
import socket, sys
mode = sys.argv[1]
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
s.bind(('eth0', 0))
print('ready', flush=True)
if mode == 'capture':
    while True:
        data, addr = s.recvfrom(65535)
        if addr[2] != socket.PACKET_OUTGOING:
            print(data.hex(), flush=True)
from scapy.all import Ether, ARP, IP, ICMP, UDP, BOOTP, DHCP, IPv6, ICMPv6EchoRequest
from scapy.all import ICMPv6ND_RS, ICMPv6ND_RA, ICMPv6ND_NS, ICMPv6ND_NA, ICMPv6ND_Redirect
from scapy.all import ICMPv6NDOptSrcLLAddr, ICMPv6NDOptDstLLAddr, ICMPv6NDOptPrefixInfo
from scapy.all import DHCP6_Advertise, DHCP6_Solicit, Raw
for line in sys.stdin:
    raw = bytes(eval(line))
    s.send(raw)
    print(raw.hex(), flush=True)
`;

class Peer {
  private readonly child: ChildProcess;
  private readonly lines: string[] = [];
  private waiters: (() => void)[] = [];

  constructor(netns: string, mode: 'send' | 'capture') {
    this.child = spawn('ip', ['netns', 'exec', netns, PYTHON, '-u', '-c', PEER, mode], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    createInterface({ input: this.child.stdout! }).on('line', (line) => {
      this.lines.push(line);
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  /** Resolves with the first line from `from` on that satisfies `test`, or undefined. */
  async next(
    from: number,
    test: (line: string) => boolean,
    ms = 3000,
  ): Promise<string | undefined> {
    const deadline = Date.now() + ms;
    for (;;) {
      const found = this.lines.slice(from).find(test);
      if (found || Date.now() > deadline) return found;
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 100);
      });
    }
  }

  get count(): number {
    return this.lines.length;
  }

  /** Sends one frame; resolves with its bytes in hex. */
  async send(expression: string): Promise<string> {
    const from = this.count;
    this.child.stdin!.write(`${expression}\n`);
    const hex = await this.next(from, () => true, 10_000);
    if (!hex) throw new Error(`scapy did not send ${expression}`);
    return hex;
  }

  stop(): void {
    this.child.kill();
  }
}

const BROADCAST = 'ff:ff:ff:ff:ff:ff';

/** The destination MAC a sender would use: IPv6 multicast per RFC 2464, else the receiver. */
function destinationMac(frame: Frame): string {
  if (frame.kind === 'arp' || frame.kind === 'rarp') return BROADCAST;
  if (frame.ipDst === '255.255.255.255') return BROADCAST;
  if (!frame.ipDst.startsWith('ff02:')) return RECEIVER.mac;
  const group = [...ipv6Bytes(frame.ipDst).subarray(12)];
  return ['33', '33', ...group.map((b) => b.toString(16).padStart(2, '0'))].join(':');
}

const q = (text: string) => `'${text}'`;

/** The frame as a scapy expression. */
function scapy(frame: Frame): string {
  const ether = `Ether(src=${q(frame.src)},dst=${q(destinationMac(frame))})`;
  if (frame.kind === 'rarp') return `${ether}/Raw(b'rarp')`;
  if (frame.kind === 'arp') {
    const op = frame.op === 'reply' ? 2 : 1;
    return `${ether}/ARP(op=${op},hwsrc=${q(frame.sha)},psrc=${q(frame.spa)},pdst=${q(frame.tpa)})`;
  }
  const l4 = frame.l4;
  if (frame.kind === 'ipv4') {
    const ip = `${ether}/IP(src=${q(frame.ipSrc)},dst=${q(frame.ipDst)})`;
    if (!l4 || l4.proto === 'icmp') return `${ip}/ICMP()`;
    if (l4.proto !== 'udp') throw new Error('no ICMPv6 over IPv4');
    const udp = `${ip}/UDP(sport=${l4.sport},dport=${l4.dport})`;
    if (l4.sport === 67)
      return `${udp}/BOOTP(op=2,yiaddr='10.50.0.200')/DHCP(options=[('message-type','offer'),'end'])`;
    if (l4.sport === 68)
      return `${udp}/BOOTP(op=1)/DHCP(options=[('message-type','discover'),'end'])`;
    return `${udp}/Raw(b'poolnet')`;
  }
  const hlim = l4?.proto === 'icmp6' && l4.type >= 133 ? 255 : 64;
  const ip = `${ether}/IPv6(src=${q(frame.ipSrc)},dst=${q(frame.ipDst)},hlim=${hlim})`;
  if (!l4 || l4.proto === 'icmp') return `${ip}/ICMPv6EchoRequest()`;
  if (l4.proto === 'udp') {
    const body =
      l4.sport === 547
        ? 'DHCP6_Advertise()'
        : l4.sport === 546
          ? 'DHCP6_Solicit()'
          : "Raw(b'poolnet')";
    return `${ip}/UDP(sport=${l4.sport},dport=${l4.dport})/${body}`;
  }
  const target = q(l4.target ?? '::');
  switch (l4.type) {
    case 133:
      return `${ip}/ICMPv6ND_RS()`;
    case 134:
      return `${ip}/ICMPv6ND_RA()/ICMPv6NDOptPrefixInfo(prefix='2001:db8::',prefixlen=64)`;
    case 135:
      return `${ip}/ICMPv6ND_NS(tgt=${target})${l4.lla ? `/ICMPv6NDOptSrcLLAddr(lladdr=${q(l4.lla)})` : ''}`;
    case 136:
      return `${ip}/ICMPv6ND_NA(tgt=${target},R=0,S=0,O=1)${l4.lla ? `/ICMPv6NDOptDstLLAddr(lladdr=${q(l4.lla)})` : ''}`;
    case 137:
      return `${ip}/ICMPv6ND_Redirect(tgt='fe80::1',dst=${q(RECEIVER.ipv6)})`;
    default:
      return `${ip}/ICMPv6EchoRequest()`;
  }
}

const VIFS: Record<PortSecurityCase['from'], SecuredAddress> = {
  secured: SECURED,
  v4only: V4_ONLY,
};

describe.skipIf(lab.skip)('port security on real Open vSwitch (userspace datapath)', () => {
  const netns = new NetnsLab(`pns${process.pid % 100000}`);
  const senders = {} as Record<PortSecurityCase['from'], Peer>;
  let capture: Peer;
  let sentinels = 0;

  beforeAll(async () => {
    lab.assertPresent();
    await netns.start();
    const host = await netns.addHost('h1', []);
    const t = topology()
      .host('h1', [])
      .private('lan')
      .vm('sec', 'h1')
      .vm('v4', 'h1')
      .vm('rcv', 'h1');
    t.vif('v-sec', 'sec', 'lan', { ...SECURED, portSecurity: true });
    t.vif('v-v4', 'v4', 'lan', { ...V4_ONLY, portSecurity: true });
    t.vif('v-rcv', 'rcv', 'lan', { ...RECEIVER });
    const desired = desiredState(t.build(), 'h1');
    const vm = (name: string, vif: string, mac: string, cidr: string) =>
      netns.addVm(name, 'h1', portName(vif), mac, cidr);
    const ns = {
      sec: await vm('sec', 'v-sec', SECURED.mac, '10.50.0.1/24'),
      v4: await vm('v4', 'v-v4', V4_ONLY.mac, '10.50.0.3/24'),
      rcv: await vm('rcv', 'v-rcv', RECEIVER.mac, '10.50.0.2/24'),
    };
    await reconcile(host.driver, desired);
    expect(digest(await host.driver.readActual())).toBe(digest(desired));
    expect(await reconcile(host.driver, desired)).toEqual([]);
    capture = new Peer(ns.rcv, 'capture');
    senders.secured = new Peer(ns.sec, 'send');
    senders.v4only = new Peer(ns.v4, 'send');
    for (const peer of [capture, senders.secured, senders.v4only]) {
      expect(await peer.next(0, (l) => l === 'ready', 20_000)).toBe('ready');
    }
  });
  afterAll(async () => {
    for (const peer of [capture, ...Object.values(senders)]) peer?.stop();
    await netns.stop();
  });

  /** Sends `frame` then a legitimate ping from the same VIF; true if `frame` was received. */
  async function delivered(c: PortSecurityCase): Promise<boolean> {
    const from = capture.count;
    const sender = senders[c.from];
    const sent = await sender.send(scapy(c.frame));
    const vif = VIFS[c.from];
    const sentinel = await sender.send(
      `${`Ether(src=${q(vif.mac)},dst=${q(RECEIVER.mac)})`}/IP(src=${q(vif.ipv4!)},dst=${q(RECEIVER.ipv4)})/ICMP(id=${++sentinels})`,
    );
    const arrived = await capture.next(from, (line) => line === sentinel, 5000);
    expect(arrived, 'the legitimate sentinel must arrive').toBe(sentinel);
    return capture.next(from, (line) => line === sent, 0).then((line) => line !== undefined);
  }

  it.each(CASES.map((c) => [c.delivered ? 'delivers' : 'drops', c.name, c] as const))(
    '%s: %s',
    async (_, __, c) => {
      expect(await delivered(c)).toBe(c.delivered);
    },
  );
});
