import { createHash } from 'node:crypto';

/**
 * The OpenFlow pipeline of a network bridge (fail_mode=secure: no flow, no traffic). ACL
 * directions are named from the VM's side: from-VM rules judge what a VM sends, to-VM rules what
 * is delivered to it (see acl-flows.ts for why each table is built the way it is):
 *   0 admission    pending ports drop everything; port security admits only the VIF's addresses
 *   1 policing     ingress QoS: a meter per port (the userspace datapath implements meters)
 *   2 conntrack    IP traffic is looked up in the network's conntrack zone (once per bridge);
 *                  a port with ACLs also learns the MACs it sends from (MAC changes)
 *   3 fromVmAcl    rules of the port a packet came in on (in_port)
 *   4 destination  resubmit to `macs`, then on to the to-VM rules
 *   5 macs         a port's MAC, static or learned → reg7 = that port's key (0: not a local port
 *                  with ACLs; NORMAL decides); a group address → a copy through each ACL port's
 *                  to-VM rules (floodFlows), then reg7 = 0
 *   6 toVmAcl      rules of the port the packet is delivered to (reg7), not of a MAC it carries
 *   7 deliver      commits a new allowed connection, then outputs to reg7's port or NORMAL
 *   8 handover     per migrating port, whether the VM's announcement has opened (target) or
 *                  closed (source) it: handover-flows.ts
 */
export const TABLE = {
  admission: 0,
  policing: 1,
  conntrack: 2,
  fromVmAcl: 3,
  destination: 4,
  macs: 5,
  toVmAcl: 6,
  deliver: 7,
  handover: 8,
} as const;

const PRIORITY = { pending: 65000, pendingDelivery: 400, exempt: 3 };

/**
 * What neither the default deny nor the invalid-state drop stops, as Neutron's base firewall
 * flows: neighbour discovery and router solicitation/advertisement (ICMPv6 133–136; conntrack
 * does not track them, the userspace datapath marks them +inv), and DHCP and DHCPv6 between a
 * VM as client and its server (a server's reply answers a broadcast, so conntrack sees it new).
 * Port security (table 0) still drops RAs and forged neighbour advertisements from VMs; a rule
 * of the port that drops them still does.
 *
 * They are the bridge's, not each port's (12 flows a port, 12,000 on a host of 1,000 ports): at
 * priority 3, above a port's invalid-state drop and default deny (2, 1) and below its rules, they
 * send what they match where the table's own default sends everything (priority 0), so for a
 * port without ACLs they change nothing, and for a port with ACLs they do what its own did.
 */
export const EXEMPT = {
  fromVm: [
    ...[133, 134, 135, 136].map((type) => `icmp6,icmp_type=${type}`),
    'udp,tp_src=68,tp_dst=67',
    'udp6,tp_src=546,tp_dst=547',
  ],
  toVm: [
    ...[133, 134, 135, 136].map((type) => `icmp6,icmp_type=${type}`),
    'udp,tp_src=67,tp_dst=68',
    'udp6,tp_src=547,tp_dst=546',
  ],
} as const;

/**
 * Each port's flows carry a cookie: 56 bits of its name's hash plus one byte naming the concern,
 * so one concern is replaced or counted without touching the others, and a deleted port's flows
 * go with one masked delete (a flow on in_port=N would otherwise catch the next port numbered N).
 * `learned` flows are written by OVS itself (the `learn` action of a port's ACL flows: a MAC the
 * port sent from) and are not part of the desired pipeline; they go with the port.
 */
export const CONCERN = {
  base: 0,
  forwarding: 1,
  security: 2,
  qos: 3,
  acl: 4,
  learned: 5,
  /** A migrating source port's watch for the VM's announcement elsewhere (handover-flows.ts). */
  handover: 6,
  /** Written by OVS's `learn` when that announcement came: the port opened or closed. */
  announced: 7,
} as const;
export type Concern = keyof typeof CONCERN;
export const PORT_COOKIE_MASK = '0xffffffffffffff00';

/** Memoized: a change to a thousand ports asks for the same few names' hashes many times. */
export const memo = <T>(compute: (key: string) => T): ((key: string) => T) => {
  const known = new Map<string, T>();
  return (key) => {
    let value = known.get(key);
    if (value === undefined) {
      if (known.size > 100_000) known.clear();
      value = compute(key);
      known.set(key, value);
    }
    return value;
  };
};

const nameHash = memo((name) => createHash('sha256').update(name).digest('hex').slice(0, 14));

export const cookie = (name: string, concern: Concern): bigint =>
  (BigInt(`0x${nameHash(name)}`) << 8n) | BigInt(CONCERN[concern]);

export const hex = (value: bigint): string => `0x${value.toString(16)}`;

export const flow = (
  c: bigint,
  table: number,
  priority: number,
  match: string,
  actions: string,
): string =>
  `add cookie=${hex(c)},table=${table},priority=${priority}${match ? `,${match}` : ''},actions=${actions}`;

/**
 * An ACL rule's own flows carry a slot of the port's 127 in the concern byte (0x80 | slot), so
 * `dump-flows cookie=0x80/0x80` reads every rule's hits in one request and maps them back to
 * rules without parsing matches; the port's 56 bits stay, so the port's masked delete still
 * takes them. A rule's slot comes from its id (a hash, the next free slot on a collision, rules
 * taken in id order), not from its place in the list: adding or removing a rule leaves the
 * other rules' cookies, hence their flows, as they are, so a change to one rule of a thousand
 * ports touches that rule's flows only (ovs-steps.ts, aclFlowChanges). The stored rule list
 * (EXT.acls) gives the same slots back for the hit counters. Rules past the 127th share the
 * port's `acl` cookie and are not counted.
 */
export const RULE_BIT = 0x80n;
export const COUNTED_RULES = 0x7f;

const slotHash = memo(
  (id) =>
    Number.parseInt(createHash('sha256').update(id).digest('hex').slice(0, 8), 16) % COUNTED_RULES,
);

/** Each rule's cookie, in the order of `ruleIds` (the same set of ids gives the same cookies). */
export function ruleCookies(port: string, ruleIds: readonly string[]): bigint[] {
  const taken = new Set<number>();
  const slots = new Map<number, number>();
  const byId = ruleIds
    .map((id, index) => ({ id, index }))
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : a.index - b.index));
  for (const { id, index } of byId) {
    if (taken.size === COUNTED_RULES) break;
    let slot = slotHash(id);
    while (taken.has(slot)) slot = (slot + 1) % COUNTED_RULES;
    taken.add(slot);
    slots.set(index, slot);
  }
  const prefix = cookie(port, 'base') | RULE_BIT;
  return ruleIds.map((_, index) => {
    const slot = slots.get(index);
    return slot === undefined ? cookie(port, 'acl') : prefix | BigInt(slot);
  });
}

/** Every cookie a port's ACL flows may carry: its `acl` cookie and one per rule slot. */
export const aclCookies = (port: string): bigint[] => [
  cookie(port, 'acl'),
  ...Array.from(
    { length: COUNTED_RULES },
    (_, slot) => cookie(port, 'base') | RULE_BIT | BigInt(slot),
  ),
];

/**
 * The bundle line that removes a port's rule flows (its other ACL flows: deleteFlows 'acl').
 * OVS indexes flows by exact cookie only, so this masked delete scans the bridge's whole table:
 * it is kept for a port whose flows are not as written (ovs-steps.ts); a known previous state
 * is changed flow by flow.
 */
export const deleteRuleFlows = (port: string): string =>
  `delete cookie=${hex(cookie(port, 'base') | RULE_BIT)}/0xffffffffffffff80`;

/** The bundle line that removes exactly the flow an `add` line wrote (same table, priority, match). */
export const deleteStrict = (addLine: string): string => {
  const spec = addLine.replace(/^add /, '').replace(/,actions=.*$/s, '');
  return `delete_strict ${spec.replace(/^cookie=(0x[0-9a-f]+)/, 'cookie=$1/-1')}`;
};

/** The bundle line that empties the bridge's flow table. */
export const DELETE_ALL = 'delete';

/** Bundle lines that remove a port's flows of one concern, or of every concern. */
export const deleteFlows = (name: string, concern?: Concern): string =>
  concern === undefined
    ? `delete cookie=${hex(cookie(name, 'base'))}/${PORT_COOKIE_MASK}`
    : `delete cookie=${hex(cookie(name, concern))}/-1`;

/** The 65536 conntrack zones are shared by every bridge of the datapath; zone 0 is OVS's own. */
export const ctZone = (bridge: string): number =>
  (Number.parseInt(nameHash(bridge).slice(0, 8), 16) % 0xffff) + 1;

/** A port's key in reg7 (the destination), from its name: nothing to allocate or read back. */
export const portKey = (port: string): string =>
  `0x${(Number.parseInt(nameHash(port).slice(0, 8), 16) || 1).toString(16)}`;

/** Marks and fields the ACL tables share. */
export const REG = {
  /** reg0 bit 0: a stateless rule passed the packet, so its connection is not committed. */
  stateless: 'NXM_NX_REG0[0]',
  statelessClear: 'reg0=0/0x1',
  /** reg7: the key of the local port the packet is for (0: none with ACLs; NORMAL delivers). */
  destination: 'NXM_NX_REG7[]',
  /** reg6: which of a bridge's chained flood flows a group-addressed frame is at (floodFlows). */
  floodStage: 'NXM_NX_REG6[]',
} as const;

/** Connection states passed without consulting rules: replies and related traffic (ICMP errors). */
export const CT_PASS = ['ct_state=+trk+est-inv', 'ct_state=+trk+rel-inv'] as const;
export const CT_NEW = 'ct_state=+trk+new';

export function baseFlows(bridge: string): string[] {
  const c = cookie(bridge, 'base');
  const zone = ctZone(bridge);
  const to = (table: number) => `goto_table:${table}`;
  return [
    flow(c, TABLE.admission, 0, '', to(TABLE.policing)),
    flow(c, TABLE.policing, 0, '', to(TABLE.conntrack)),
    ...['ip', 'ipv6'].map((family) =>
      flow(c, TABLE.conntrack, 100, family, `ct(zone=${zone},table=${TABLE.fromVmAcl})`),
    ),
    flow(c, TABLE.conntrack, 0, '', to(TABLE.fromVmAcl)),
    ...CT_PASS.map((state) => flow(c, TABLE.fromVmAcl, 65000, state, to(TABLE.destination))),
    ...EXEMPT.fromVm.map((m) =>
      flow(c, TABLE.fromVmAcl, PRIORITY.exempt, m, to(TABLE.destination)),
    ),
    flow(c, TABLE.fromVmAcl, 0, '', to(TABLE.destination)),
    flow(c, TABLE.destination, 0, '', `resubmit(,${TABLE.macs}),${to(TABLE.toVmAcl)}`),
    flow(c, TABLE.macs, 0, '', `load:0->${REG.destination}`),
    ...CT_PASS.map((state) => flow(c, TABLE.toVmAcl, 65000, state, to(TABLE.deliver))),
    ...EXEMPT.toVm.map((m) => flow(c, TABLE.toVmAcl, PRIORITY.exempt, m, to(TABLE.deliver))),
    flow(c, TABLE.toVmAcl, 0, '', to(TABLE.deliver)),
    // Traffic for no local port with ACLs: NORMAL (MAC learning, the uplink), after committing
    // a new connection so that its replies come back as established.
    ...['ip', 'ipv6'].map((family) =>
      flow(
        c,
        TABLE.deliver,
        100,
        `${family},${CT_NEW},${REG.statelessClear}`,
        `ct(commit,zone=${zone}),NORMAL`,
      ),
    ),
    flow(c, TABLE.deliver, 0, '', 'NORMAL'),
  ];
}

export const BASE_FLOW_COUNT = baseFlows('').length;

/**
 * The base pipeline's size before the exemptions moved from each port to the bridge: such a
 * bridge still forwards, so it reads as present (not rebuilt, which would stop every port for
 * the pass); the drift sweep then puts the exemptions in by content, in one bundle.
 */
export const BASE_FLOW_COUNT_BEFORE_EXEMPTIONS =
  BASE_FLOW_COUNT - EXEMPT.fromVm.length - EXEMPT.toVm.length;

/**
 * Flooded frames and ports with ACLs. NORMAL floods broadcast, multicast and unknown unicast to
 * every port of the VLAN without passing through any port's to-VM rules, so ports with ACLs are
 * marked `no-flood` (an OpenFlow port config, OFPPC_NO_FLOOD: NORMAL's flood skips the port) and
 * this one flow per bridge, in the MAC table, hands each of them a copy of every frame to a
 * group address (multicast, broadcast): `clone(load:<key>->reg7, resubmit(,toVmAcl))` runs the
 * port's to-VM rules and default policy on its own copy, as OVN's egress pipeline runs once per
 * output port, and the copy leaves by `output:<port>` (OpenFlow never outputs to the in_port,
 * so the sender gets no copy of its own). ARP and other non-IP frames pass the to-VM table
 * untouched (its rules and deny match IP only), so they still reach every port. Then reg7 goes
 * back to 0 and the frame goes on to NORMAL for the ports without ACLs and the uplink, as
 * before. Unknown unicast is not copied: NORMAL may either flood it or send it to one port, and
 * a copy would duplicate the latter; a port with ACLs receives unicast only to its own MAC or a
 * MAC it has sent from (table 5), which NORMAL's flood no longer bypasses.
 *
 * Only forwarding ports are listed (a pending port's delivery goes to NORMAL, which would flood
 * the copy again). Rewritten when the bridge's set of ACL ports changes. A copy costs ~56 bytes
 * of actions and an OpenFlow message is at most 64 KiB, so the copies are chained over flows of
 * FLOOD_CHUNK ports each: flow N (reg6=N) copies its ports, sets reg6=N+1 and resubmits to the
 * same table; the last sets reg6 and reg7 back to 0. OVS's resubmit limits (depth 64, 4,096 per
 * packet) then bound a bridge at about 4,000 ports with ACLs, each flooded frame costing one
 * pass through the to-VM rules per such port.
 */
export const GROUP_DESTINATION = 'dl_dst=01:00:00:00:00:00/01:00:00:00:00:00';
const FLOOD_PRIORITY = 100;
/** ~22 KiB of actions a flow: well inside OpenFlow's 64 KiB message. */
export const FLOOD_CHUNK = 400;

export const floodCookie = (bridge: string): bigint => cookie(bridge, 'forwarding');

export function floodFlows(bridge: string, ports: readonly string[]): string[] {
  const chunks: string[][] = [];
  for (let i = 0; i < ports.length; i += FLOOD_CHUNK) chunks.push(ports.slice(i, i + FLOOD_CHUNK));
  return chunks.map((chunk, stage) => {
    const copies = chunk.map(
      (port) => `clone(load:${portKey(port)}->${REG.destination},resubmit(,${TABLE.toVmAcl}))`,
    );
    const next =
      stage === chunks.length - 1
        ? [`load:0->${REG.floodStage}`, `load:0->${REG.destination}`]
        : [`load:${stage + 1}->${REG.floodStage}`, `resubmit(,${TABLE.macs})`];
    return flow(
      floodCookie(bridge),
      TABLE.macs,
      FLOOD_PRIORITY,
      `${GROUP_DESTINATION},reg6=${stage}`,
      [...copies, ...next].join(','),
    );
  });
}

/** Bundle lines with this prefix are packet-outs, not flow mods (see Ofctl.bundle). */
export const PACKET_OUT = 'packet-out ';

/** A bundle line that sends `frame` into the bridge's flow table as if it came in on `port`. */
export const packetOut = (port: string, frame: string): string =>
  `${PACKET_OUT}in_port=${port} packet=${frame} actions=table`;

/**
 * A pending port neither sends (table 0) nor receives: NORMAL keeps it out (it sits in the dead
 * VLAN), and while it waits, traffic for its MAC is handed to NORMAL rather than delivered by
 * its ACL flows, so during a migration it still reaches the running VM on the other host.
 */
export const pendingFlows = (port: string): string[] => [
  flow(cookie(port, 'forwarding'), TABLE.admission, PRIORITY.pending, `in_port=${port}`, 'drop'),
  flow(
    cookie(port, 'forwarding'),
    TABLE.deliver,
    PRIORITY.pendingDelivery,
    `reg7=${portKey(port)}`,
    'NORMAL',
  ),
];

/** Ingress policing through an OpenFlow meter numbered after the port's OpenFlow port. */
export const policingFlows = (port: string, meter: number): string[] => [
  flow(
    cookie(port, 'qos'),
    TABLE.policing,
    100,
    `in_port=${port}`,
    `meter:${meter},goto_table:${TABLE.conntrack}`,
  ),
];
