import type { AclRule } from '../../model/host-state.js';
import { aclMatches } from './acl-match.js';
import { cookie, CT_NEW, ctZone, flow, hex, portKey, REG, ruleCookies, TABLE } from './flows.js';

/**
 * Rule flows sit between the connection-state shortcuts (65000) and the bridge's exemptions (3,
 * flows.ts), which are above the invalid-state drop.
 */
const PRIORITY = {
  rule: 10000,
  invalid: 2,
  deny: 1,
  learn: 200,
  mac: 100,
  commit: 300,
  output: 200,
};

/** Learned MACs age out like NORMAL's MAC table (300 s) and never outrank a port's own MAC. */
const LEARNED = { priority: 50, idleTimeout: 300 };

/** A unicast source (the group bit clear): a VM cannot make a broadcast address "its" MAC. */
const UNICAST_SOURCE = 'dl_src=00:00:00:00:00:00/01:00:00:00:00:00';

/**
 * A port's ACL flows, stateful as in OVN's `allow-related` and Neutron's OVS firewall:
 *
 * - Conntrack. IP traffic is looked up once per bridge, in one zone per network (table 2), before
 *   either side's rules; both the sender's from-VM rules and the receiver's to-VM rules judge a
 *   new connection, and it is committed once, after both passed (table 7). Replies and related
 *   ICMP errors (`+est`, `+rel`) pass without rules in both directions, so a "deny inbound" rule
 *   keeps the VM's own outbound connections working, and a rule added later only governs new
 *   connections: established ones it would now refuse run until they end, as in Neutron when a
 *   rule is added. Invalid states (`+inv`, e.g. a SYN-ACK nobody asked for) are dropped on ports
 *   with ACLs, below the rules, so a `stateless` allow still passes them.
 *   Why one lookup per network rather than a zone per port (OVN): a zone per port needs a
 *   number per port unique on the host, allocated and kept (OVN stores them in OVSDB); ofports
 *   repeat across bridges. And why not a lookup per direction in one zone: the userspace
 *   datapath reports a packet seen again in the zone where it was just committed as `+est`
 *   (kernel: `+new`), so the receiver's rules would be skipped. One lookup, one commit, avoids
 *   both. Zones come from a hash of the bridge name: two networks of a host sharing a zone only
 *   matters for connections with identical addresses and ports in both.
 * - `stateless` (OVN's allow-stateless): the packet passes and its connection is not committed,
 *   so replies need their own rule; a stateless rule's match is not subject to `+inv`.
 * - To-VM rules are keyed on where the packet is delivered, not on a MAC the VM controls: the
 *   port's MAC (known to the controller) and any MAC it has sent from (learned by OVS, `learn`
 *   below) map to the port's key in reg7; its rules match reg7; the allowed packet is output to
 *   the port itself. A VM without port security that changes its MAC has frames to its new MAC
 *   delivered by these flows, so its rules still apply (vatesfr/xen-orchestra#6153). Broadcast and
 *   multicast reach the port through the same to-VM rules, one copy a port (flows.ts,
 *   floodFlows); NORMAL's flood skips it (`no-flood`), so unknown unicast does not reach it.
 * - Default deny (`aclDefault`, security groups' policy): below the rules, IP and IPv6 the rules
 *   did not admit are dropped in both directions; replies and related traffic still pass by the
 *   connection-state shortcuts, so a port that denies by default and has no rule still gets the
 *   whole pipeline (its own connections work, nothing new reaches it). Neighbour discovery and
 *   DHCP pass by the bridge's exemptions (flows.ts, EXEMPT).
 * - `reject` does not exist: answering with a TCP RST or an ICMP unreachable needs a controller
 *   to build the packet, and poolnet runs none (the domain refuses it; old rules read as drop).
 */
export function aclFlows(
  bridge: string,
  port: string,
  mac: string,
  acls: readonly AclRule[],
  aclDefault?: 'deny',
) {
  if (acls.length === 0 && aclDefault !== 'deny') return [];
  const c = cookie(port, 'acl');
  const zone = ctZone(bridge);
  const key = portKey(port);
  const learn =
    `learn(table=${TABLE.macs},priority=${LEARNED.priority},idle_timeout=${LEARNED.idleTimeout},` +
    `cookie=${hex(cookie(port, 'learned'))},delete_learned,` +
    `NXM_OF_ETH_DST[]=NXM_OF_ETH_SRC[],load:${key}->${REG.destination})`;
  const from = `in_port=${port}`;
  const to = `reg7=${key}`;
  const cookies = ruleCookies(
    port,
    acls.map((rule) => rule.id),
  );
  const rules = acls.flatMap((rule, index) => {
    const fromVm = rule.direction === 'ingress';
    const [who, next] = fromVm ? [from, TABLE.destination] : [to, TABLE.deliver];
    const stateless = rule.action === 'allow' && rule.stateless === true;
    const actions =
      rule.action !== 'allow'
        ? 'drop'
        : `${stateless ? `load:1->${REG.stateless},` : ''}goto_table:${next}`;
    const table = fromVm ? TABLE.fromVmAcl : TABLE.toVmAcl;
    return aclMatches(rule.match, fromVm).map((match) =>
      flow(cookies[index]!, table, PRIORITY.rule + rule.priority, `${who},${match}`, actions),
    );
  });
  const invalid = 'ct_state=+trk+inv';
  // Below the bridge's exemptions (flows.ts, EXEMPT), which every port's guard shares.
  const guard = (table: number, who: string) => [
    flow(c, table, PRIORITY.invalid, `${who},${invalid}`, 'drop'),
    ...(aclDefault === 'deny'
      ? ['ip', 'ipv6'].map((family) => flow(c, table, PRIORITY.deny, `${who},${family}`, 'drop'))
      : []),
  ];
  return [
    ...['ip', 'ipv6'].map((family) =>
      flow(
        c,
        TABLE.conntrack,
        PRIORITY.learn,
        `${from},${UNICAST_SOURCE},${family}`,
        `${learn},ct(zone=${zone},table=${TABLE.fromVmAcl})`,
      ),
    ),
    flow(
      c,
      TABLE.conntrack,
      PRIORITY.learn - 1,
      `${from},${UNICAST_SOURCE}`,
      `${learn},goto_table:${TABLE.fromVmAcl}`,
    ),
    ...rules,
    ...guard(TABLE.fromVmAcl, from),
    ...(mac
      ? [flow(c, TABLE.macs, PRIORITY.mac, `dl_dst=${mac}`, `load:${key}->${REG.destination}`)]
      : []),
    ...guard(TABLE.toVmAcl, to),
    ...['ip', 'ipv6'].map((family) =>
      flow(
        c,
        TABLE.deliver,
        PRIORITY.commit,
        `${to},${family},${CT_NEW},${REG.statelessClear}`,
        `ct(commit,zone=${zone}),output:${port}`,
      ),
    ),
    flow(c, TABLE.deliver, PRIORITY.output, to, `output:${port}`),
  ];
}

/**
 * The MAC → port flows OVS learned for `ports` (the bridge's ports with ACLs), out of
 * `ovs-ofctl dump-flows --no-stats table=5`, as specs the drift pass keeps: they are not in the
 * desired pipeline (OVS writes them), but removing them would let frames to a MAC a port has
 * taken bypass its to-VM rules until it sends again. Only a flow exactly as a port's learn
 * action writes it is kept (its cookie, its key, nothing else): anything else in the table is
 * foreign and goes.
 */
export function learnedFlows(dump: string, ports: readonly string[]): string[] {
  const owners = new Map(ports.map((port) => [hex(cookie(port, 'learned')), port]));
  const kept: string[] = [];
  for (const line of dump.split('\n')) {
    const [match = '', actions = ''] = line.trim().split(' actions=');
    const fields = new Map(
      match.split(/[, ]+/).map((field) => field.split('=') as [string, string | undefined]),
    );
    const owner = owners.get(fields.get('cookie') ?? '');
    const mac = fields.get('dl_dst') ?? '';
    const key = /^(?:load:(0x[0-9a-f]+)->NXM_NX_REG7\[\]|set_field:(0x[0-9a-f]+)->reg7)$/.exec(
      actions,
    );
    const loaded = key?.[1] ?? key?.[2];
    const shape =
      fields.size === 5 &&
      fields.get('table') === String(TABLE.macs) &&
      fields.get('priority') === String(LEARNED.priority) &&
      fields.get('idle_timeout') === String(LEARNED.idleTimeout) &&
      /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/.test(mac);
    if (!owner || !shape || !loaded || BigInt(loaded) !== BigInt(portKey(owner))) continue;
    kept.push(
      `cookie=${fields.get('cookie')},table=${TABLE.macs},priority=${LEARNED.priority},` +
        `idle_timeout=${LEARNED.idleTimeout},dl_dst=${mac},actions=${actions}`,
    );
  }
  return kept;
}
