import {
  canonicalIpv6,
  NO_LINK_LAYER,
  portSecurityPolicy,
  type PortSecurityPolicy,
  type SecuredAddress,
  type SecurityIdentity,
} from '../../model/port-security.js';

/** What admission looks at in a frame a VM sends: enough to model table 0 of the OVS pipeline. */
export type Frame =
  | { kind: 'arp'; src: string; sha: string; spa: string; tpa: string; op: 'request' | 'reply' }
  | { kind: 'rarp'; src: string }
  | { kind: 'ipv4'; src: string; ipSrc: string; ipDst: string; l4?: L4 }
  | { kind: 'ipv6'; src: string; ipSrc: string; ipDst: string; l4?: L4 | Icmp6 };

export type L4 = { proto: 'icmp' } | { proto: 'udp'; sport: number; dport: number };
export interface Icmp6 {
  proto: 'icmp6';
  type: number;
  target?: string;
  /** Source (NS) or target (NA) link-layer address option; absent: no option. */
  lla?: string;
}

const RA = 134;
const REDIRECT = 137;
const NS = 135;
const NA = 136;

/**
 * The memory datapath's model of port security: true when a frame from a port secured for
 * `address` passes admission. Mirrors securityFlows (port-security-flows.ts) rule for rule, and
 * port-security-flows.spec.ts plus port-security.int-spec.ts hold both to the same cases.
 */
export function admits(address: SecuredAddress, frame: Frame): boolean {
  return admitsUnder(portSecurityPolicy(address), frame);
}

export function admitsUnder({ identities, ipLocked }: PortSecurityPolicy, frame: Frame): boolean {
  const [own] = identities as [SecurityIdentity];
  const id = identities.find((i) => i.mac === frame.src.toLowerCase());
  if (guarded(frame)) return false;
  if (frame.kind === 'rarp') return frame.src.toLowerCase() === own.mac;
  if (!id) return false;
  const l4 = frame.kind === 'arp' ? undefined : frame.l4;
  if (l4?.proto === 'icmp6' && (l4.type === NS || l4.type === NA)) {
    return neighbourDiscovery(id, own, ipLocked, frame as Frame & { kind: 'ipv6' }, l4);
  }
  switch (frame.kind) {
    case 'arp':
      return frame.sha.toLowerCase() === id.mac && (!ipLocked || id.ipv4.includes(frame.spa));
    case 'ipv4':
      if (!ipLocked || id.ipv4.includes(frame.ipSrc)) return true;
      return (
        id === own &&
        own.ipv4.length > 0 &&
        frame.ipSrc === '0.0.0.0' &&
        l4?.proto === 'udp' &&
        l4.sport === 68 &&
        l4.dport === 67
      );
    case 'ipv6':
      if (!ipLocked || id.ipv6.includes(canonicalIpv6(frame.ipSrc))) return true;
      return (
        id === own &&
        own.ipv6.length > 0 &&
        frame.ipSrc === '::' &&
        frame.ipDst.startsWith('ff02:') &&
        l4?.proto === 'icmp6' &&
        (l4.type === 131 || l4.type === 143)
      );
  }
}

/** What no secured port may send: RA, redirects, DHCP and DHCPv6 server replies. */
function guarded(frame: Frame): boolean {
  if (frame.kind !== 'ipv4' && frame.kind !== 'ipv6') return false;
  const l4 = frame.l4;
  if (l4?.proto === 'icmp6')
    return frame.kind === 'ipv6' && (l4.type === RA || l4.type === REDIRECT);
  if (l4?.proto !== 'udp') return false;
  return frame.kind === 'ipv4'
    ? l4.sport === 67 && l4.dport === 68
    : l4.sport === 547 && l4.dport === 546;
}

function neighbourDiscovery(
  id: SecurityIdentity,
  own: SecurityIdentity,
  ipLocked: boolean,
  frame: Frame & { kind: 'ipv6' },
  nd: Icmp6,
): boolean {
  const lla = (nd.lla ?? NO_LINK_LAYER).toLowerCase();
  if (lla !== id.mac && lla !== NO_LINK_LAYER) return false;
  if (!ipLocked) return true;
  const target = canonicalIpv6(nd.target ?? '::');
  if (nd.type === NS && frame.ipSrc === '::') {
    return id === own && lla === NO_LINK_LAYER && own.ipv6.includes(target);
  }
  if (!id.ipv6.includes(canonicalIpv6(frame.ipSrc))) return false;
  return nd.type === NS || id.ipv6.includes(target);
}
