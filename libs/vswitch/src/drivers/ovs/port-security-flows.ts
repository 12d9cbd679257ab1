import type { PortAddress } from '../../planner/operation.js';
import { cookie, flow, TABLE } from './flows.js';

/** Port security sits in table 0 below the pending drop: its allows above its catch-all drop. */
const PRIORITY = { securityAllow: 50010, securityDrop: 50000 };

/**
 * Admit ARP, RARP (the post-migration announce), IPv4 and IPv6 only from the VIF's MAC, and from
 * its IPs when it has them; everything else from the port is dropped. DHCP discovery (from
 * 0.0.0.0) and IPv6 link-local/DAD stay open so a guest can still configure itself.
 */
export function securityFlows(port: string, { mac, ipv4, ipv6 }: PortAddress): string[] {
  const c = cookie(port, 'security');
  const next = `goto_table:${TABLE.policing}`;
  const from = `in_port=${port},dl_src=${mac}`;
  const allow = (match: string) =>
    flow(c, TABLE.admission, PRIORITY.securityAllow, `${from},${match}`, next);
  const flows = [
    flow(c, TABLE.admission, PRIORITY.securityDrop, `in_port=${port}`, 'drop'),
    allow(`arp,arp_sha=${mac}${ipv4 ? `,arp_spa=${ipv4}` : ''}`),
    allow('dl_type=0x8035'),
    allow(`ip${ipv4 ? `,nw_src=${ipv4}` : ''}`),
    allow(`ipv6${ipv6 ? `,ipv6_src=${ipv6}` : ''}`),
  ];
  if (ipv4) flows.push(allow('udp,nw_src=0.0.0.0,tp_src=68,tp_dst=67'));
  if (ipv6) flows.push(allow('ipv6,ipv6_src=fe80::/10'), allow('icmp6,ipv6_src=::'));
  return flows;
}
