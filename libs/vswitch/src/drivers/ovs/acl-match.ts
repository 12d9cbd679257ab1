import type { AclMatch } from '../../model/topology.js';
import { formatMasked, portRangeMasks } from './port-range.js';

type Family = 4 | 6;

const PROTOCOLS: Record<AclMatch['protocol'], Record<Family, string>> = {
  any: { 4: 'ip', 6: 'ipv6' },
  tcp: { 4: 'tcp', 6: 'tcp6' },
  udp: { 4: 'udp', 6: 'udp6' },
  icmp: { 4: 'icmp', 6: 'icmp6' },
};

/**
 * OpenFlow matches for one ACL match, one per (IP family × port block). The CIDR names the remote
 * side: the destination of what a VM sends (ingress), the source of what it receives (egress).
 *
 * Without a CIDR, `icmp` means ICMPv4 only: ICMPv6 carries neighbour discovery, and a rule meant
 * for ping must not cut a VM off its IPv6 neighbours. ARP is never subject to ACLs (port security
 * covers it), as in OVN and Neutron.
 */
export function aclMatches(match: AclMatch, ingress: boolean): string[] {
  const families: Family[] = match.cidr
    ? [match.cidr.includes(':') ? 6 : 4]
    : match.protocol === 'icmp'
      ? [4]
      : [4, 6];
  const ports =
    (match.protocol === 'tcp' || match.protocol === 'udp') && match.portFrom !== undefined
      ? portRangeMasks(match.portFrom, match.portTo ?? match.portFrom).map(
          (block) => `tp_dst=${formatMasked(block)}`,
        )
      : [undefined];
  return families.flatMap((family) => {
    const parts = [PROTOCOLS[match.protocol][family]];
    if (match.cidr) {
      const field =
        family === 4 ? (ingress ? 'nw_dst' : 'nw_src') : ingress ? 'ipv6_dst' : 'ipv6_src';
      parts.push(`${field}=${match.cidr}`);
    }
    return ports.map((port) => [...parts, ...(port ? [port] : [])].join(','));
  });
}
