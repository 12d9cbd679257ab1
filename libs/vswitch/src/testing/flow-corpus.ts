import type { AclRule } from '../model/host-state.js';
import { SECURED, V4_ONLY } from './port-security-cases.js';
import { announceFrames } from '../drivers/ovs/announce.js';
import { aclFlows } from '../drivers/ovs/acl-flows.js';
import { aclFlowChanges, installed } from '../drivers/ovs/acl-flow-changes.js';
import {
  baseFlows,
  DELETE_ALL,
  deleteFlows,
  deleteRuleFlows,
  floodCookie,
  floodFlows,
  hex,
  packetOut,
  pendingFlows,
  policingFlows,
} from '../drivers/ovs/flows.js';
import { armedFlows, watchFlows } from '../drivers/ovs/handover-flows.js';
import { mirrorTunnelFlow } from '../drivers/ovs/mirror-tunnel-ports.js';
import { securityFlows } from '../drivers/ovs/port-security-flows.js';

/** Ports of the corpus bridge: two VIFs, one IPv4-only VIF, a mirror tunnel and its monitor. */
export const CORPUS_PORTS = ['cvif-a', 'cvif-b', 'cvif-c', 'cmir-t', 'cmon'] as const;

const RULES: AclRule[] = [
  {
    id: 'ssh',
    direction: 'ingress',
    priority: 5,
    match: { protocol: 'tcp', portFrom: 22 },
    action: 'allow',
  },
  {
    id: 'web',
    direction: 'egress',
    priority: 6,
    match: {
      protocol: 'tcp',
      portFrom: 1024,
      portTo: 65535,
      remotes: ['10.1.0.0/16', 'fd00:1::/64'],
    },
    action: 'allow',
  },
  {
    id: 'dns',
    direction: 'ingress',
    priority: 7,
    match: { protocol: 'udp', portFrom: 53, remotes: ['10.2.3.4/32'] },
    action: 'allow',
    stateless: true,
  },
  { id: 'ping', direction: 'egress', priority: 8, match: { protocol: 'icmp' }, action: 'drop' },
  {
    id: 'any6',
    direction: 'ingress',
    priority: 9,
    match: { protocol: 'any', remotes: ['2001:db8::/32'] },
    action: 'drop',
  },
];

/**
 * Every kind of flow-mod line the driver's generators write, for one bridge with the ports
 * above: the base pipeline, pending ports, port security (IP-locked v4+v6 with address pairs,
 * IPv4-only, MAC-only), stateful and stateless ACLs with default deny, a rule change flow by
 * flow, the flood chain, policing, a mirror tunnel, the deletes by cookie and mask, and packet-
 * outs. The encoder's byte-exact spec and the equivalence int-spec both run it.
 */
export function corpusLines(bridge: string, meter = 1): string[] {
  const [a, b, c, tunnel, monitor] = CORPUS_PORTS;
  const before = aclFlows(bridge, b, '02:00:00:00:00:02', RULES.slice(0, 2));
  const after = installed(aclFlows(bridge, b, '02:00:00:00:00:02', RULES.slice(1, 4)));
  return [
    DELETE_ALL,
    ...baseFlows(bridge),
    ...pendingFlows(a),
    deleteFlows(a, 'forwarding'),
    deleteFlows(a, 'security'),
    ...securityFlows(a, SECURED),
    ...securityFlows(c, V4_ONLY),
    ...securityFlows(b, { mac: '02:00:00:00:00:02' }),
    deleteFlows(a, 'acl'),
    deleteRuleFlows(a),
    ...aclFlows(bridge, a, SECURED.mac, RULES, 'deny'),
    ...before,
    ...aclFlowChanges(before, after),
    `delete cookie=${hex(floodCookie(bridge))}/-1`,
    ...floodFlows(bridge, [a, b]),
    deleteFlows(c, 'qos'),
    ...policingFlows(c, meter),
    mirrorTunnelFlow({
      name: tunnel,
      mirrorId: 'm',
      remoteHost: 'h2',
      remoteIp: '192.0.2.2',
      localIp: '192.0.2.1',
      key: 7,
      deliverTo: monitor,
    }),
    mirrorTunnelFlow({
      name: monitor,
      mirrorId: 'm',
      remoteHost: 'h2',
      remoteIp: '192.0.2.2',
      localIp: '192.0.2.1',
      key: 8,
    }),
    deleteFlows(monitor),
    ...announceFrames(SECURED).map((frame) => packetOut(a, frame)),
  ];
}

/**
 * The flows of a migration the VM activates (handover-flows.ts): an armed port and a watched
 * one. Not in `corpusLines` (whose bytes were captured from ovs-ofctl 3.1): the native
 * OpenFlow int-spec compares them with what ovs-ofctl writes on real Open vSwitch instead.
 */
export function handoverCorpusLines(): string[] {
  const [a, b] = CORPUS_PORTS;
  return [
    deleteFlows(a, 'forwarding'),
    ...armedFlows(a, SECURED.mac),
    deleteFlows(b, 'handover'),
    ...watchFlows(b, '02:00:00:00:00:02'),
  ];
}
