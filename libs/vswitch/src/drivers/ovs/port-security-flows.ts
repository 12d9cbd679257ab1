import {
  NO_LINK_LAYER,
  portSecurityPolicy,
  type SecurityIdentity,
} from '../../model/port-security.js';
import type { PortAddress } from '../../planner/operation.js';
import { cookie, flow, TABLE } from './flows.js';

/**
 * Table 0, below the pending drop (65000). From the bottom: everything from the port dropped;
 * the VIF's sources admitted; all neighbour discovery dropped; the neighbour discovery the VIF
 * may send admitted; and on top what no VM may send whatever its addresses.
 */
const PRIORITY = { drop: 50000, allow: 50010, ndDrop: 50020, ndAllow: 50030, guard: 50040 };

const ICMP6 = {
  ra: 134,
  ns: 135,
  na: 136,
  redirect: 137,
  mldReport: 131,
  mld2Report: 143,
} as const;

/**
 * Guards that hold on every secured port, MAC-only lock included (XAPI's setup-vif-rules drops
 * RA and redirects; DHCP server replies from a VM are the rogue-DHCP attack).
 */
const GUARDS = [
  `icmp6,icmp_type=${ICMP6.ra}`,
  `icmp6,icmp_type=${ICMP6.redirect}`,
  'udp,tp_src=67,tp_dst=68',
  'udp6,tp_src=547,tp_dst=546',
];

/**
 * Admit from the port only what its VIF may send (see PortSecurityPolicy): ARP, IPv4 and IPv6
 * from its MACs and addresses, RARP (the post-migration announce) from its own MAC; neighbour
 * solicitations only with its MAC (or none) as source link-layer address, advertisements only
 * for its own addresses with its MAC (or none) as target link-layer address; never a router
 * advertisement, a redirect or a DHCP/DHCPv6 server reply. A guest can still configure itself:
 * DHCP discovery from 0.0.0.0 when it has an IPv4 address, duplicate address detection and MLD
 * reports from :: when it has an IPv6 address.
 */
export function securityFlows(port: string, address: PortAddress): string[] {
  const c = cookie(port, 'security');
  const at = (priority: number, match: string, actions: string) =>
    flow(c, TABLE.admission, priority, `in_port=${port}${match ? `,${match}` : ''}`, actions);
  const next = `goto_table:${TABLE.policing}`;
  const { identities, ipLocked } = portSecurityPolicy(address);
  const [own] = identities as [SecurityIdentity];
  const flows = [
    at(PRIORITY.drop, '', 'drop'),
    at(PRIORITY.ndDrop, `icmp6,icmp_type=${ICMP6.ns}`, 'drop'),
    at(PRIORITY.ndDrop, `icmp6,icmp_type=${ICMP6.na}`, 'drop'),
    ...GUARDS.map((guard) => at(PRIORITY.guard, guard, 'drop')),
    at(PRIORITY.allow, `dl_src=${own.mac},dl_type=0x8035`, next),
  ];
  for (const id of identities) {
    const allow = (priority: number, match: string) =>
      at(priority, `dl_src=${id.mac},${match}`, next);
    if (!ipLocked) {
      flows.push(
        allow(PRIORITY.allow, `arp,arp_sha=${id.mac}`),
        allow(PRIORITY.allow, 'ip'),
        allow(PRIORITY.allow, 'ipv6'),
        ...linkLayerOptions(id.mac).flatMap((ll) => [
          allow(PRIORITY.ndAllow, `${nd(ICMP6.ns)},nd_sll=${ll}`),
          allow(PRIORITY.ndAllow, `${nd(ICMP6.na)},nd_tll=${ll}`),
        ]),
      );
      continue;
    }
    for (const ip of id.ipv4) {
      flows.push(
        allow(PRIORITY.allow, `arp,arp_sha=${id.mac},arp_spa=${ip}`),
        allow(PRIORITY.allow, `ip,nw_src=${ip}`),
      );
    }
    for (const src of id.ipv6) {
      flows.push(allow(PRIORITY.allow, `ipv6,ipv6_src=${src}`));
      for (const ll of linkLayerOptions(id.mac)) {
        flows.push(allow(PRIORITY.ndAllow, `${nd(ICMP6.ns)},ipv6_src=${src},nd_sll=${ll}`));
        for (const target of id.ipv6) {
          flows.push(
            allow(
              PRIORITY.ndAllow,
              `${nd(ICMP6.na)},ipv6_src=${src},nd_target=${target},nd_tll=${ll}`,
            ),
          );
        }
      }
    }
  }
  if (ipLocked && own.ipv4.length > 0) {
    flows.push(
      at(PRIORITY.allow, `dl_src=${own.mac},udp,nw_src=0.0.0.0,tp_src=68,tp_dst=67`, next),
    );
  }
  if (ipLocked && own.ipv6.length > 0) {
    // Duplicate address detection of the VIF's own addresses, and the MLD reports (v1 and v2)
    // a guest sends from :: before it has an address, as OVN admits them.
    const from = `dl_src=${own.mac}`;
    for (const target of own.ipv6) {
      flows.push(
        at(
          PRIORITY.ndAllow,
          `${from},${nd(ICMP6.ns)},ipv6_src=::,nd_target=${target},nd_sll=${NO_LINK_LAYER}`,
          next,
        ),
      );
    }
    for (const type of [ICMP6.mldReport, ICMP6.mld2Report]) {
      flows.push(
        at(PRIORITY.allow, `${from},icmp6,ipv6_src=::,ipv6_dst=ff02::/16,icmp_type=${type}`, next),
      );
    }
  }
  return flows;
}

/** ND fields only exist in OVS for code 0 of types 135 and 136. */
const nd = (type: number) => `icmp6,icmp_type=${type},icmp_code=0`;

/** An ND option carrying the sender's MAC, or no option at all. */
const linkLayerOptions = (mac: string) => [mac, NO_LINK_LAYER];
