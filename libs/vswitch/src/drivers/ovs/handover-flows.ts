import { cookie, flow, hex, portKey, TABLE } from './flows.js';

/*
 * A migration activated by the VM (DESIGN §5, OVN's activation-strategy=rarp), in the datapath
 * with no controller on the path: the VM's first announcement after it resumes on the target
 * (QEMU and Xen send a RARP; a guest may send a gratuitous ARP or an unsolicited neighbour
 * advertisement) makes OVS's `learn` action write one flow in the handover table, and that
 * flow opens the target's armed port and, where the frame reaches the source host, closes the
 * source's watched port. The member host only reads the learned flows back afterwards.
 *
 * Each migrating port has a gate in table 8 keyed on its key (portKey) in reg4; looking the gate
 * up leaves its verdict in reg5: 1 = the port may send, 2 = it may not. Table 0 of the port sends
 * its frames (reg5 = 0) through the gate and back into table 0, where reg5 = 2 drops them and
 * reg5 = 1 lets them on to port security as if the gate were not there (flows matching in_port
 * alone do not match reg5, and nothing later reads reg4 or reg5).
 *
 * - An armed target port: its gate says 2 until its own announcement, from the VIF's MAC, comes
 *   in; that frame writes the learned gate (1, higher priority) and goes on itself, so every
 *   learning switch on the way moves the MAC at once. The port is in the network's VLAN, so
 *   NORMAL delivers to it once it learns the MAC there from that frame; before, only flooded
 *   frames reach the paused VM's device, and nothing it sends gets past table 0.
 * - A watched source port: it forwards (its gate says 1) until an announcement from the VIF's
 *   MAC arrives from any other port of the bridge (the uplink, a tunnel); table 4 then writes
 *   the learned gate (2): the source sends nothing more, and NORMAL has moved the MAC away
 *   from it with that same frame. The VM's own frames on the source never close it.
 *
 * The learned flows have no timeout: they go with the port's other flows when the log's next
 * step (activated, aborted) reaches the host.
 */

const REG_KEY = 'NXM_NX_REG4[]';
const REG_GATE = 'NXM_NX_REG5[]';
const GATE = { unknown: 0, open: 1, closed: 2 } as const;
const PRIORITY = { gate: 10, learned: 20, trigger: 65001, port: 65000, own: 20, watch: 10 };
/** Above the pending delivery (flows.ts): an armed port's ACL deliveries go to NORMAL too. */
const PENDING_DELIVERY = 400;

/** What announces a VM: RARP, any ARP, an unsolicited (or any) neighbour advertisement. */
export const ANNOUNCEMENTS = ['rarp', 'arp', 'icmp6,icmp_type=136'] as const;

/** The flow `learn` writes: the port's gate, opened or closed, in the handover table. */
const learnGate = (port: string, verdict: number): string =>
  `learn(table=${TABLE.handover},priority=${PRIORITY.learned},` +
  `cookie=${hex(cookie(port, 'announced'))},${REG_KEY}=${portKey(port)},` +
  `load:${verdict}->${REG_GATE})`;

/** Table 0's detour of a port's frames through its gate (`verdict`: 2 drops). */
const gatedAdmission = (c: bigint, port: string): string[] => [
  flow(
    c,
    TABLE.admission,
    PRIORITY.port,
    `in_port=${port},reg5=${GATE.unknown}`,
    `load:${portKey(port)}->${REG_KEY},resubmit(,${TABLE.handover}),resubmit(,${TABLE.admission})`,
  ),
  flow(c, TABLE.admission, PRIORITY.port, `in_port=${port},reg5=${GATE.closed}`, 'drop'),
];

/**
 * An armed port (cookie: its `forwarding` concern, so it reads back as not forwarding by what
 * the host wrote, and `setPortForwarding` replaces all of it in one bundle).
 */
export function armedFlows(port: string, mac: string): string[] {
  const c = cookie(port, 'forwarding');
  return [
    ...ANNOUNCEMENTS.map((kind) =>
      flow(
        c,
        TABLE.admission,
        PRIORITY.trigger,
        `in_port=${port},reg5=${GATE.unknown},dl_src=${mac},${kind}`,
        `${learnGate(port, GATE.open)},load:${GATE.open}->${REG_GATE},resubmit(,${TABLE.admission})`,
      ),
    ),
    ...gatedAdmission(c, port),
    flow(
      c,
      TABLE.handover,
      PRIORITY.gate,
      `reg4=${portKey(port)}`,
      `load:${GATE.closed}->${REG_GATE}`,
    ),
    flow(c, TABLE.deliver, PENDING_DELIVERY, `reg7=${portKey(port)}`, 'NORMAL'),
  ];
}

/** A watched source port (cookie: its `handover` concern; the port forwards meanwhile). */
export function watchFlows(port: string, mac: string): string[] {
  const c = cookie(port, 'handover');
  const onward = `resubmit(,${TABLE.macs}),goto_table:${TABLE.toVmAcl}`;
  return [
    ...gatedAdmission(c, port),
    flow(
      c,
      TABLE.handover,
      PRIORITY.gate,
      `reg4=${portKey(port)}`,
      `load:${GATE.open}->${REG_GATE}`,
    ),
    // Table 4's own default, for what the VM sends on the source, above the watch.
    flow(c, TABLE.destination, PRIORITY.own, `in_port=${port},dl_src=${mac}`, onward),
    ...ANNOUNCEMENTS.map((kind) =>
      flow(
        c,
        TABLE.destination,
        PRIORITY.watch,
        `dl_src=${mac},${kind}`,
        `${learnGate(port, GATE.closed)},${onward}`,
      ),
    ),
  ];
}

/**
 * The learned gate of each port in `ports`, out of `ovs-ofctl dump-flows table=8` (with stats):
 * when it was written (epoch ms, from the flow's age as the switch reports it), for the member
 * host's report and the log. Anything not exactly as `learn` writes it is ignored.
 */
export function learnedGates(
  dump: string,
  ports: readonly string[],
  now: number,
): Map<string, { at: number; spec: string }> {
  const owners = new Map(ports.map((port) => [hex(cookie(port, 'announced')), port]));
  const found = new Map<string, { at: number; spec: string }>();
  for (const line of dump.split('\n')) {
    const c = /cookie=(0x[0-9a-f]+)/.exec(line)?.[1];
    const owner = owners.get(c ?? '');
    const duration = /duration=([\d.]+)s/.exec(line)?.[1];
    const gate = /reg4=(0x[0-9a-f]+)/.exec(line)?.[1];
    const verdict = /actions=(load:0x[12]->NXM_NX_REG5\[\]|set_field:0x[12]->reg5)\s*$/.exec(line);
    if (!owner || duration === undefined || !gate || !verdict) continue;
    if (BigInt(gate) !== BigInt(portKey(owner))) continue;
    const at = Math.round(now - Number(duration) * 1000);
    const load = /0x([12])/.exec(verdict[1] ?? '')?.[1] ?? '';
    found.set(owner, {
      at,
      spec:
        `cookie=${c},table=${TABLE.handover},priority=${PRIORITY.learned},` +
        `reg4=${gate},actions=load:0x${load}->${REG_GATE}`,
    });
  }
  return found;
}
