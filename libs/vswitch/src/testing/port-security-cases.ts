import { eui64LinkLocal, type SecuredAddress } from '../model/port-security.js';
import type { Frame } from '../drivers/memory/port-admission.js';

/**
 * The port-security proof matrix, written once for both datapaths: the memory datapath's model
 * (port-security-flows.spec.ts) and real Open vSwitch (port-security.int-spec.ts) must each
 * deliver exactly the frames marked `delivered`.
 */
export const MAC = {
  vm: '02:00:00:00:00:01',
  receiver: '02:00:00:00:00:02',
  v4only: '02:00:00:00:00:03',
  vip: '02:00:00:00:00:aa',
  forged: '02:00:00:00:00:99',
};

/** A VIF with two IPv4 addresses, an IPv6 address and two allowed address pairs. */
export const SECURED: SecuredAddress = {
  mac: MAC.vm,
  ipv4: '10.50.0.1',
  ipv6: 'fd00::1',
  extraIps: ['10.50.0.11'],
  allowedPairs: [{ ip: '10.50.0.100' }, { ip: '10.50.0.101', mac: MAC.vip }],
};

/** A VIF that lists IPv4 only: IPv6 is not its family. */
export const V4_ONLY: SecuredAddress = { mac: MAC.v4only, ipv4: '10.50.0.3' };

export const RECEIVER = { mac: MAC.receiver, ipv4: '10.50.0.2', ipv6: 'fd00::2' };

export interface PortSecurityCase {
  name: string;
  /** Which secured VIF sends it. */
  from: 'secured' | 'v4only';
  frame: Frame;
  delivered: boolean;
}

const LL = eui64LinkLocal(MAC.vm);
const ping4 = (src: string, ipSrc: string): Frame => ({
  kind: 'ipv4',
  src,
  ipSrc,
  ipDst: RECEIVER.ipv4,
  l4: { proto: 'icmp' },
});
/** ICMPv6 to the receiver: an echo request unless `type` says otherwise. */
const ping6 = (src: string, ipSrc: string, type = 128): Frame => ({
  kind: 'ipv6',
  src,
  ipSrc,
  ipDst: RECEIVER.ipv6,
  l4: { proto: 'icmp6', type },
});
const nd = (type: 135 | 136, ipSrc: string, target: string, lla?: string): Frame => ({
  kind: 'ipv6',
  src: MAC.vm,
  ipSrc,
  ipDst: 'ff02::1',
  l4: { proto: 'icmp6', type, target, lla },
});
const arp = (sha: string, spa: string, src = MAC.vm): Frame => ({
  kind: 'arp',
  src,
  op: 'reply',
  sha,
  spa,
  tpa: RECEIVER.ipv4,
});
const udp = (ipSrc: string, sport: number, dport: number): Frame =>
  ipSrc.includes(':')
    ? { kind: 'ipv6', src: MAC.vm, ipSrc, ipDst: 'ff02::1:2', l4: { proto: 'udp', sport, dport } }
    : {
        kind: 'ipv4',
        src: MAC.vm,
        ipSrc,
        ipDst: '255.255.255.255',
        l4: { proto: 'udp', sport, dport },
      };

const ok = (name: string, frame: Frame, from: PortSecurityCase['from'] = 'secured') => ({
  name,
  from,
  frame,
  delivered: true,
});
const no = (name: string, frame: Frame, from: PortSecurityCase['from'] = 'secured') => ({
  name,
  from,
  frame,
  delivered: false,
});

export const CASES: readonly PortSecurityCase[] = [
  ok('IPv4 from its MAC and address', ping4(MAC.vm, '10.50.0.1')),
  no('MAC spoof', ping4(MAC.forged, '10.50.0.1')),
  no('IPv4 source spoof', ping4(MAC.vm, '10.50.0.77')),
  ok('its second IPv4 address', ping4(MAC.vm, '10.50.0.11')),
  no('an IPv4 address outside its list', ping4(MAC.vm, '10.50.0.12')),
  ok('an allowed pair on its own MAC', ping4(MAC.vm, '10.50.0.100')),
  ok('an allowed pair on the pair MAC', ping4(MAC.vip, '10.50.0.101')),
  no('an allowed pair from the wrong MAC', ping4(MAC.vm, '10.50.0.101')),
  no('the pair MAC with an address not paired to it', ping4(MAC.vip, '10.50.0.1')),
  ok('ARP for its own address', arp(MAC.vm, '10.50.0.1')),
  ok('ARP for an allowed pair (VRRP takeover)', arp(MAC.vip, '10.50.0.101', MAC.vip)),
  no('ARP poisoning: another VM address', arp(MAC.vm, RECEIVER.ipv4)),
  no('ARP poisoning: a forged sender MAC', arp(MAC.forged, '10.50.0.1')),
  ok('IPv6 from its address', ping6(MAC.vm, 'fd00::1')),
  ok('IPv6 from its EUI-64 link-local', ping6(MAC.vm, LL)),
  no('IPv6 source spoof', ping6(MAC.vm, 'fd00::99')),
  no('IPv6 from another link-local', ping6(MAC.vm, 'fe80::1')),
  ok('IPv4 from a VIF without IPv6', ping4(MAC.v4only, '10.50.0.3'), 'v4only'),
  no('IPv6 from a VIF without IPv6', ping6(MAC.v4only, 'fd00::3'), 'v4only'),
  no(
    'IPv6 link-local from a VIF without IPv6',
    ping6(MAC.v4only, eui64LinkLocal(MAC.v4only)),
    'v4only',
  ),
  ok('neighbour advertisement for its address', nd(136, 'fd00::1', 'fd00::1', MAC.vm)),
  no('forged NA: another VM as target', nd(136, 'fd00::1', RECEIVER.ipv6, MAC.vm)),
  no('forged NA: a forged target link-layer address', nd(136, 'fd00::1', 'fd00::1', MAC.forged)),
  ok('neighbour solicitation with its MAC', nd(135, LL, RECEIVER.ipv6, MAC.vm)),
  no('forged NS: a forged source link-layer address', nd(135, LL, RECEIVER.ipv6, MAC.forged)),
  ok('duplicate address detection of its address', nd(135, '::', 'fd00::1')),
  no('duplicate address detection of another address', nd(135, '::', RECEIVER.ipv6)),
  ok('router solicitation', ping6(MAC.vm, LL, 133)),
  no('router advertisement from a VM', ping6(MAC.vm, LL, 134)),
  no('redirect from a VM', ping6(MAC.vm, LL, 137)),
  ok('DHCP discover', udp('0.0.0.0', 68, 67)),
  no('DHCP offer from a VM', udp('10.50.0.1', 67, 68)),
  no('DHCPv6 advertise from a VM', udp(LL, 547, 546)),
  ok('DHCPv6 solicit', udp(LL, 546, 547)),
];
