import { createHash } from 'node:crypto';
import type { AclRule } from '../../model/host-state.js';
import { aclMatches } from './acl-match.js';

/**
 * The OpenFlow pipeline of a network bridge (fail_mode=secure: no flow, no traffic):
 *   0 admission      pending ports drop everything; port security admits only the VIF's addresses
 *   1 policing       ingress QoS: a meter per port (the userspace datapath implements meters)
 *   2 ingress ACLs   traffic a VM sends, matched on in_port
 *   3 egress ACLs    traffic to a VM, matched on its MAC; then NORMAL (MAC learning, VLANs)
 */
export const TABLE = { admission: 0, policing: 1, ingressAcl: 2, egressAcl: 3 } as const;

const PRIORITY = { pending: 65000, acl: 10000 };

/**
 * Each port's flows carry a cookie: 56 bits of its name's hash plus one byte naming the concern,
 * so one concern is replaced or counted without touching the others, and a deleted port's flows
 * go with one masked delete (a flow on in_port=N would otherwise catch the next port numbered N).
 */
export const CONCERN = { base: 0, forwarding: 1, security: 2, qos: 3, acl: 4 } as const;
export type Concern = keyof typeof CONCERN;
export const PORT_COOKIE_MASK = '0xffffffffffffff00';

const nameHash = (name: string): string =>
  createHash('sha256').update(name).digest('hex').slice(0, 14);

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

/** Bundle lines that remove a port's flows of one concern, or of every concern. */
export const deleteFlows = (name: string, concern?: Concern): string =>
  concern === undefined
    ? `delete cookie=${hex(cookie(name, 'base'))}/${PORT_COOKIE_MASK}`
    : `delete cookie=${hex(cookie(name, concern))}/-1`;

export const BASE_FLOW_COUNT = 4;

export function baseFlows(bridge: string): string[] {
  const c = cookie(bridge, 'base');
  return [
    flow(c, TABLE.admission, 0, '', `goto_table:${TABLE.policing}`),
    flow(c, TABLE.policing, 0, '', `goto_table:${TABLE.ingressAcl}`),
    flow(c, TABLE.ingressAcl, 0, '', `goto_table:${TABLE.egressAcl}`),
    flow(c, TABLE.egressAcl, 0, '', 'NORMAL'),
  ];
}

/** Bundle lines with this prefix are packet-outs, not flow mods (see Ofctl.bundle). */
export const PACKET_OUT = 'packet-out ';

/** A bundle line that sends `frame` into the bridge's flow table as if it came in on `port`. */
export const packetOut = (port: string, frame: string): string =>
  `${PACKET_OUT}in_port=${port} packet=${frame} actions=table`;

export const pendingFlows = (port: string): string[] => [
  flow(cookie(port, 'forwarding'), TABLE.admission, PRIORITY.pending, `in_port=${port}`, 'drop'),
];

/** Ingress policing through an OpenFlow meter numbered after the port's OpenFlow port. */
export const policingFlows = (port: string, meter: number): string[] => [
  flow(
    cookie(port, 'qos'),
    TABLE.policing,
    100,
    `in_port=${port}`,
    `meter:${meter},goto_table:${TABLE.ingressAcl}`,
  ),
];

/**
 * `reject` installs as `drop`: answering with a TCP RST or ICMP unreachable needs a controller
 * to build the reply, and poolnet runs none.
 */
export function aclFlows(port: string, mac: string, acls: readonly AclRule[]): string[] {
  const c = cookie(port, 'acl');
  return acls.flatMap((rule) => {
    const ingress = rule.direction === 'ingress';
    const table = ingress ? TABLE.ingressAcl : TABLE.egressAcl;
    const who = ingress ? `in_port=${port}` : `dl_dst=${mac}`;
    const pass = ingress ? `goto_table:${TABLE.egressAcl}` : 'NORMAL';
    const actions = rule.action === 'allow' ? pass : 'drop';
    return aclMatches(rule.match, ingress).map((match) =>
      flow(c, table, PRIORITY.acl + rule.priority, `${who},${match}`, actions),
    );
  });
}
