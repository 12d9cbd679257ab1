import { isIPv4, isIPv6 } from 'node:net';
import type { AddressPair } from './topology.js';

/** What port security needs to know of a VIF: its MAC, its addresses and its address pairs. */
export interface SecuredAddress {
  mac: string;
  ipv4?: string;
  ipv6?: string;
  /** Further addresses of either family, besides `ipv4` and `ipv6`. */
  extraIps?: string[];
  allowedPairs?: AddressPair[];
}

/** A MAC a VM may send from, and the source addresses it may use with it. */
export interface SecurityIdentity {
  mac: string;
  ipv4: string[];
  /** With the EUI-64 link-local of `mac` whenever the identity has any IPv6 address. */
  ipv6: string[];
}

/**
 * The admission both datapaths realise (OVS flows in port-security-flows.ts, the memory
 * datapath's `admits`), following OVN's port_security: a VIF listing no address at all is locked
 * to its MAC only; a VIF listing any address is locked to its addresses, and a family it lists
 * none of is blocked entirely (OVN drops all IPv6 of a port whose port_security has only IPv4).
 */
export interface PortSecurityPolicy {
  /** The VIF's own identity first, then one per distinct pair MAC. */
  identities: SecurityIdentity[];
  /** False for a MAC-only lock: any source address from the identities' MACs. */
  ipLocked: boolean;
}

export function portSecurityPolicy(address: SecuredAddress): PortSecurityPolicy {
  const own = address.mac.toLowerCase();
  const ips = [address.ipv4, address.ipv6, ...(address.extraIps ?? [])].filter(
    (ip): ip is string => !!ip,
  );
  const byMac = new Map<string, string[]>([[own, ips]]);
  for (const pair of address.allowedPairs ?? []) {
    const mac = (pair.mac ?? own).toLowerCase();
    byMac.set(mac, [...(byMac.get(mac) ?? []), pair.ip]);
  }
  const identities = [...byMac].map(([mac, list]) => {
    const ipv6 = unique(list.filter((ip) => isIPv6(ip)).map(canonicalIpv6));
    return {
      mac,
      ipv4: unique(list.filter((ip) => isIPv4(ip))),
      ipv6: ipv6.length > 0 ? unique([eui64LinkLocal(mac), ...ipv6]) : [],
    };
  });
  const ipLocked = identities.some((i) => i.ipv4.length + i.ipv6.length > 0);
  return { identities, ipLocked };
}

const unique = (list: string[]): string[] => [...new Set(list)];

/**
 * The link-local address a guest forms from its MAC (RFC 4291 appendix A: the universal/local
 * bit flipped, ff:fe in the middle), the only link-local port security admits, as OVN and XAPI
 * do. A guest using stable-privacy link-locals (RFC 7217) must be set to EUI-64.
 */
export function eui64LinkLocal(mac: string): string {
  const b = mac.split(':').map((x) => Number.parseInt(x, 16));
  if (b.length !== 6 || b.some((x) => !(x >= 0 && x <= 255))) {
    throw new Error(`not a MAC address: ${mac}`);
  }
  const group = (hi: number, lo: number) => ((hi << 8) | lo).toString(16);
  const first = (b[0] as number) ^ 0x02;
  const [, b1, b2, b3, b4, b5] = b as [number, number, number, number, number, number];
  return canonicalIpv6(
    `fe80::${group(first, b1)}:${group(b2, 0xff)}:${group(0xfe, b3)}:${group(b4, b5)}`,
  );
}

/** The MAC of an ND option that is absent: OVS reads a missing sll/tll as all zeros. */
export const NO_LINK_LAYER = '00:00:00:00:00:00';

/**
 * A VIF's further addresses and pairs in one canonical form (sorted, lower-case, absent when
 * empty), so a switch that read them back compares equal and a VIF without any keeps the state
 * (and digest) it had before they existed.
 */
export function securedAddresses(vif: {
  extraIps?: readonly string[];
  allowedPairs?: readonly AddressPair[];
}): { extraIps?: string[]; allowedPairs?: AddressPair[] } {
  const extraIps = unique((vif.extraIps ?? []).map(canonicalIp)).sort();
  const pairs = (vif.allowedPairs ?? []).map(({ ip, mac }) =>
    mac ? { ip: canonicalIp(ip), mac: mac.toLowerCase() } : { ip: canonicalIp(ip) },
  );
  const key = (p: AddressPair) => `${p.ip} ${p.mac ?? ''}`;
  const allowedPairs = [...new Map(pairs.map((p) => [key(p), p])).values()].sort((a, b) =>
    key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0,
  );
  return {
    ...(extraIps.length > 0 ? { extraIps } : {}),
    ...(allowedPairs.length > 0 ? { allowedPairs } : {}),
  };
}

/** RFC 5952 text of an IPv6 address (lower case, longest zero run as `::`), as OVS prints it. */
export const canonicalIpv6 = (ip: string): string =>
  new URL(`http://[${ip}]`).hostname.slice(1, -1);

const canonicalIp = (ip: string): string => (isIPv6(ip) ? canonicalIpv6(ip) : ip);
