import { BlockList, isIPv6 } from 'node:net';
import { hasAclPipeline, type AclRule, type Port } from '../../model/host-state.js';

/** One IP packet as the ACL stages see it. ICMP echo: `srcPort`/`dstPort` carry the echo id. */
export interface IpPacket {
  protocol: 'tcp' | 'udp' | 'icmp';
  src: string;
  dst: string;
  srcPort?: number;
  dstPort?: number;
  /** ICMP and ICMPv6 only: the message type (absent: an echo). */
  icmpType?: number;
  /** Its size on the wire, counted into the deciding rule's bytes (absent: 0). */
  bytes?: number;
}

export type AclVerdict = 'delivered' | 'dropped';

type Decision = { pass: boolean; stateless: boolean; rule?: AclRule };

export interface RuleHits {
  packets: number;
  bytes: number;
}

const tuple = (p: IpPacket, reverse = false): string =>
  reverse
    ? `${p.protocol} ${p.dst}:${p.dstPort ?? 0} ${p.src}:${p.srcPort ?? 0}`
    : `${p.protocol} ${p.src}:${p.srcPort ?? 0} ${p.dst}:${p.dstPort ?? 0}`;

function inCidr(address: string, cidr: string): boolean {
  const [network = '', bits = ''] = cidr.split('/');
  const family = isIPv6(network) ? 'ipv6' : 'ipv4';
  if (isIPv6(address) !== (family === 'ipv6')) return false;
  const list = new BlockList();
  list.addSubnet(network, Number(bits), family);
  return list.check(address, family);
}

/**
 * acl-match.ts in words: the remote side is the destination from a VM, the source to it; a
 * rule with remotes matches a remote in any of them (none: nothing).
 */
function matches(rule: AclRule, packet: IpPacket): boolean {
  const { protocol, remotes, portFrom, portTo } = rule.match;
  const fromVm = rule.direction === 'ingress';
  if (protocol !== 'any' && protocol !== packet.protocol) return false;
  // A family-less icmp rule is ICMPv4 only (neighbour discovery rides on ICMPv6).
  if (protocol === 'icmp' && !remotes && isIPv6(packet.src)) return false;
  const remote = fromVm ? packet.dst : packet.src;
  if (remotes && !remotes.some((cidr) => inCidr(remote, cidr))) return false;
  if ((protocol === 'tcp' || protocol === 'udp') && portFrom !== undefined) {
    const port = packet.dstPort ?? -1;
    if (port < portFrom || port > (portTo ?? portFrom)) return false;
  }
  return true;
}

/**
 * Neighbour discovery, router solicitation/advertisement and DHCP(v6) between a VM client and
 * its server pass a port's default deny (flows.ts, EXEMPT).
 */
function exempt(fromVm: boolean, packet: IpPacket): boolean {
  const v6 = isIPv6(packet.src);
  // Redirects are not exempt: port security drops them from VMs, and nobody needs one.
  if (packet.protocol === 'icmp') return isNeighbourDiscovery(packet) && packet.icmpType !== 137;
  if (packet.protocol !== 'udp') return false;
  const [client, server] = v6 ? [546, 547] : [68, 67];
  const [src, dst] = fromVm ? [client, server] : [server, client];
  return packet.srcPort === src && packet.dstPort === dst;
}

/** RFC 4861 messages (RS, RA, NS, NA, redirect): conntrack keeps no state for them. */
const NEIGHBOUR_DISCOVERY = { first: 133, last: 137 };
const isNeighbourDiscovery = (packet: IpPacket): boolean =>
  packet.protocol === 'icmp' &&
  isIPv6(packet.src) &&
  (packet.icmpType ?? 0) >= NEIGHBOUR_DISCOVERY.first &&
  (packet.icmpType ?? 0) <= NEIGHBOUR_DISCOVERY.last;

/** OVS marks neighbour discovery invalid: it passes by exemption and is never committed. */
const tracked = (packet: IpPacket): boolean => !isNeighbourDiscovery(packet);

/**
 * The highest-priority rule of one direction that matches decides; none: allowed, unless the
 * port denies by default and the packet is not exempt.
 */
function judge(port: Port | undefined, fromVm: boolean, packet: IpPacket): Decision {
  const rule = (port?.acls ?? [])
    .filter((r) => (r.direction === 'ingress') === fromVm && matches(r, packet))
    .sort((a, b) => b.priority - a.priority)[0];
  if (!rule) {
    const denied = port?.aclDefault === 'deny' && !exempt(fromVm, packet);
    return { pass: !denied, stateless: false };
  }
  return {
    pass: rule.action === 'allow',
    stateless: rule.action === 'allow' && !!rule.stateless,
    rule,
  };
}

/**
 * The stateful ACL semantics of the OVS pipeline (acl-flows.ts) for one network's bridge: one
 * conntrack table per network; a packet of a connection seen before, in either direction, passes
 * without rules; a new one needs the sender's from-VM rules and the receiver's to-VM rules to
 * allow it, and is then committed, unless a stateless rule passed it; a port that denies by
 * default refuses a new one no rule allows. `undefined` ports stand for the uplink (another
 * host), which has no rules here. Invalid conntrack states are not modelled.
 */
export class AclConntrack {
  private readonly connections = new Set<string>();
  /** Per port, per rule id: what the rule decided, as OVS counts its rule flows' hits. */
  private readonly hits = new Map<string, Map<string, RuleHits>>();

  send(from: Port | undefined, to: Port | undefined, packet: IpPacket): AclVerdict {
    if (this.connections.has(tuple(packet)) || this.connections.has(tuple(packet, true))) {
      return 'delivered';
    }
    // The receiver's rules are only reached when the sender's passed (tables 3 then 6).
    const out = this.count(from, judge(from, true, packet), packet);
    if (!out.pass) return 'dropped';
    const into = this.count(to, judge(to, false, packet), packet);
    if (!into.pass) return 'dropped';
    if (!out.stateless && !into.stateless && tracked(packet)) this.connections.add(tuple(packet));
    return 'delivered';
  }

  /**
   * A packet to a group address: conntrack looks it up once (table 2), the sender's rules judge
   * it once, then each receiver with ACLs judges its own copy (its to-VM rules and default
   * policy); receivers without ACLs get NORMAL's flood. Committed once if any copy was.
   */
  flood(from: Port | undefined, to: readonly Port[], packet: IpPacket): Port[] {
    if (this.connections.has(tuple(packet)) || this.connections.has(tuple(packet, true))) {
      return [...to];
    }
    const out = this.count(from, judge(from, true, packet), packet);
    if (!out.pass) return [];
    let commit = false;
    const delivered = to.filter((port) => {
      if (!hasAclPipeline(port)) return true;
      const into = this.count(port, judge(port, false, packet), packet);
      commit ||= into.pass && !into.stateless;
      return into.pass;
    });
    const normal = delivered.some((port) => !hasAclPipeline(port));
    if ((commit || normal) && !out.stateless && tracked(packet)) {
      this.connections.add(tuple(packet));
    }
    return delivered;
  }

  /** Hits per rule of each port; a port's rules rewritten start again from zero, as flows do. */
  ruleHits(): { port: string; rule: string; packets: number; bytes: number }[] {
    return [...this.hits].flatMap(([port, rules]) =>
      [...rules].map(([rule, hits]) => ({ port, rule, ...hits })),
    );
  }

  forget(port: string): void {
    this.hits.delete(port);
  }

  private count(port: Port | undefined, decision: Decision, packet: IpPacket): Decision {
    if (!port || !decision.rule) return decision;
    const rules = this.hits.get(port.name) ?? new Map<string, RuleHits>();
    this.hits.set(port.name, rules);
    const hits = rules.get(decision.rule.id) ?? { packets: 0, bytes: 0 };
    rules.set(decision.rule.id, {
      packets: hits.packets + 1,
      bytes: hits.bytes + (packet.bytes ?? 0),
    });
    return decision;
  }

  /** Connections tracked, as `conntrack -L` would list them. */
  get size(): number {
    return this.connections.size;
  }
}
