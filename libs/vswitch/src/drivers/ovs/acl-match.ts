import type { PortAclMatch } from '../../model/host-state.js';
import { formatMasked, portRangeMasks } from './port-range.js';

type Family = 4 | 6;

const PROTOCOLS: Record<PortAclMatch['protocol'], Record<Family, string>> = {
  any: { 4: 'ip', 6: 'ipv6' },
  tcp: { 4: 'tcp', 6: 'tcp6' },
  udp: { 4: 'udp', 6: 'udp6' },
  icmp: { 4: 'icmp', 6: 'icmp6' },
};

/**
 * OpenFlow matches for one ACL match, one per (remote CIDR × port block), the family following
 * the CIDR. The remotes name the remote side: the destination of what a VM sends (ingress), the
 * source of what it receives (egress). An empty remote list (an empty address set or group)
 * yields no match at all, so the rule holds no flow and decides nothing.
 *
 * Without remotes, `icmp` means ICMPv4 only: ICMPv6 carries neighbour discovery, and a rule meant
 * for ping must not cut a VM off its IPv6 neighbours. ARP is never subject to ACLs (port security
 * covers it), as in OVN and Neutron.
 *
 * The cost is multiplicative: a rule with N remotes and a range of B port blocks is N × B flows
 * on every port it lands on (docs/design.md, policy: conjunctive matches are the known next step).
 */
export function aclMatches(match: PortAclMatch, ingress: boolean): string[] {
  const ports =
    (match.protocol === 'tcp' || match.protocol === 'udp') && match.portFrom !== undefined
      ? portRangeMasks(match.portFrom, match.portTo ?? match.portFrom).map(
          (block) => `tp_dst=${formatMasked(block)}`,
        )
      : [undefined];
  const remotes: (string | undefined)[] = match.remotes ?? [undefined];
  return remotes.flatMap((remote) => {
    const families: Family[] = remote
      ? [remote.includes(':') ? 6 : 4]
      : match.protocol === 'icmp'
        ? [4]
        : [4, 6];
    return families.flatMap((family) => {
      const parts = [PROTOCOLS[match.protocol][family]];
      if (remote) {
        const field =
          family === 4 ? (ingress ? 'nw_dst' : 'nw_src') : ingress ? 'ipv6_dst' : 'ipv6_src';
        parts.push(`${field}=${remote}`);
      }
      return ports.map((port) => [...parts, ...(port ? [port] : [])].join(','));
    });
  });
}
