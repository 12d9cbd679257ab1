import { isIPv6 } from 'node:net';
import { canonicalIpv6 } from './port-security.js';
import type { TopologyVif } from './topology.js';

/** One address as a host route: `/32` for IPv4, `/128` for IPv6 (in RFC 5952 text). */
export const hostCidr = (ip: string): string =>
  isIPv6(ip) ? `${canonicalIpv6(ip)}/128` : `${ip}/32`;

/**
 * Every address a VIF may carry traffic from, as a remote group sees it: its own addresses,
 * its further ones and its allowed pairs' VIPs (a VIP answers for the member that holds it).
 */
export const vifAddresses = (vif: TopologyVif): string[] =>
  [
    vif.ipv4,
    vif.ipv6,
    ...(vif.extraIps ?? []),
    ...(vif.allowedPairs ?? []).map((pair) => pair.ip),
  ].filter((ip): ip is string => !!ip);

/** A CIDR's network address as a number, to order lists as the domain orders address sets. */
function networkValue(cidr: string): bigint {
  const [address = ''] = cidr.split('/');
  if (!isIPv6(address)) {
    return address.split('.').reduce((n, octet) => (n << 8n) | BigInt(Number(octet)), 0n);
  }
  const [head = '', tail] = canonicalIpv6(address).split('::');
  const groups = (text: string) => (text ? text.split(':') : []);
  const [left, right] = [groups(head), groups(tail ?? '')];
  const zeros = Array.from({ length: 8 - left.length - right.length }, () => '0');
  const all = tail === undefined ? left : [...left, ...zeros, ...right];
  return all.reduce((n, group) => (n << 16n) | BigInt(Number.parseInt(group, 16)), 0n);
}

/** Unique, IPv4 first, then IPv6, each by address then prefix length: one text per list. */
export function sortedCidrs(cidrs: Iterable<string>): string[] {
  const keyed = [...new Set(cidrs)].map((cidr) => ({
    cidr,
    v6: cidr.includes(':'),
    value: networkValue(cidr),
    bits: Number(cidr.split('/')[1] ?? 0),
  }));
  keyed.sort(
    (a, b) =>
      Number(a.v6) - Number(b.v6) ||
      (a.value < b.value ? -1 : a.value > b.value ? 1 : 0) ||
      a.bits - b.bits,
  );
  return keyed.map((k) => k.cidr);
}
