import { patchPortNames, uplinkBridgeName } from '../../model/naming.js';
import type { Operation } from '../../planner/operation.js';
import { announceFrames } from './announce.js';
import { aclFlows } from './acl-flows.js';
import { aclFlowChanges, installed } from './acl-flow-changes.js';
import { aclRecordCommands } from './acl-records.js';
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
} from './flows.js';
import { hasAclPipeline } from '../../model/host-state.js';
import { EXT, ext, mirrorCommands, qosCommands, uplinkCommands } from './ovsdb-commands.js';
import type { ResolvedOvsOptions } from './ovs-options.js';
import type { PortFlood } from './openflow/port-flood.js';
import { securityFlows } from './port-security-flows.js';
import { armedFlows, watchFlows } from './handover-flows.js';
import { mirrorTunnelCommands, mirrorTunnelFlows } from './mirror-tunnel-ports.js';
import { tunnelCommands } from './tunnel-ports.js';

/**
 * A change to a bridge's OpenFlow state: flow-mod lines for one atomic bundle (packet-outs
 * among them run in order with the flow mods), or a meter.
 */
export type OfStep =
  | { kind: 'bundle'; bridge: string; lines: string[] }
  | { kind: 'meter'; bridge: string; port: string; kbps: number; burstKb: number }
  /** The port's OpenFlow `no-flood` config: NORMAL's flood skips it (flows.ts, floodFlows). */
  | { kind: 'portFlood'; bridge: string; ports: PortFlood[] };

/**
 * One operation as OVSDB commands and OpenFlow steps, in four phases run for the whole batch:
 * `before` (OpenFlow, while the ports still exist), `db` (one ovs-vsctl transaction), `flows`,
 * and `after`: a port starts forwarding only once every other change of the batch is in place.
 */
export interface OpSteps {
  before: OfStep[];
  db: string[][];
  flows: OfStep[];
  afterDb: string[][];
  afterFlows: OfStep[];
}

const PENDING_VLAN = '4095';

/** Every flow of a port that says whether it forwards, the learned handover gate included. */
const HANDOVER_CONCERNS = ['forwarding', 'handover', 'announced'] as const;

/** A VIF's port, pending: in the dead VLAN, with the VIF's identity. */
const addPortCommands = (
  op: Extract<Operation, { kind: 'addPort' | 'resetPort' }>,
  options: ResolvedOvsOptions,
): string[][] => [
  ['--may-exist', 'add-port', op.bridge, op.port],
  ['set', 'Port', op.port, 'vlan_mode=access', `tag=${PENDING_VLAN}`],
  [
    'set',
    'Interface',
    op.port,
    ...(options.vifInterfaceType === 'internal' ? ['type=internal'] : []),
    ext(EXT.vif, op.vifId),
    ext(EXT.vm, op.vmId),
    ext('iface-id', op.vifId),
  ],
];

export function stepsFor(op: Operation, options: ResolvedOvsOptions, id: () => string): OpSteps {
  const steps: OpSteps = { before: [], db: [], flows: [], afterDb: [], afterFlows: [] };
  const bundle = (bridge: string, lines: string[]): OfStep => ({ kind: 'bundle', bridge, lines });
  if ((op.kind === 'deletePort' || op.kind === 'resetPort') && options.vifBinding === 'iface-id') {
    // The interface is the hypervisor's: released, not deleted. Its flows go (by cookie), and
    // it is no longer the host's VIF, isolated in the dead VLAN until adopted again.
    steps.before.push({ kind: 'meter', bridge: op.bridge, port: op.port, kbps: 0, burstKb: 0 });
    steps.before.push(bundle(op.bridge, [deleteFlows(op.port)]));
    steps.db.push(
      ['--if-exists', 'remove', 'Interface', op.port, 'external_ids', EXT.vif],
      ['--if-exists', 'set', 'Port', op.port, 'vlan_mode=access', `tag=${PENDING_VLAN}`],
    );
    return steps;
  }
  switch (op.kind) {
    case 'deletePort':
      // Flows on in_port=N outlive the port in OpenFlow and would catch the next port numbered N.
      steps.before.push({ kind: 'meter', bridge: op.bridge, port: op.port, kbps: 0, burstKb: 0 });
      steps.before.push(bundle(op.bridge, [deleteFlows(op.port)]));
      steps.db.push(['--if-exists', 'del-port', op.port]);
      break;
    case 'deleteBridge':
      steps.db.push(['--if-exists', 'del-br', op.bridge]);
      steps.db.push(['--if-exists', 'del-port', patchPortNames(op.bridge).uplinkSide]);
      break;
    case 'deleteUplink':
      steps.db.push(['--if-exists', 'del-br', op.bridge]);
      break;
    case 'setUplink':
      steps.db.push(...uplinkCommands(op.uplink, options));
      break;
    case 'createBridge':
      steps.db.push(
        ['--may-exist', 'add-br', op.bridge],
        [
          'set',
          'Bridge',
          op.bridge,
          `datapath_type=${options.datapathType}`,
          'fail_mode=secure',
          'protocols=OpenFlow10,OpenFlow13,OpenFlow14',
          ext(EXT.network, op.networkId),
        ],
        ['set', 'Interface', op.bridge, `mtu_request=${op.mtu}`],
      );
      // A bridge is created when it is missing or has lost its pipeline, and then every port
      // of it is written anew: its table starts empty, so no port needs to delete flows first.
      steps.flows.push(bundle(op.bridge, [DELETE_ALL, ...baseFlows(op.bridge)]));
      break;
    case 'setBridgeMtu':
      steps.db.push(['set', 'Interface', op.bridge, `mtu_request=${op.mtu}`]);
      break;
    case 'setBridgeUplink': {
      const { bridgeSide, uplinkSide } = patchPortNames(op.bridge);
      steps.db.push(['--if-exists', 'del-port', uplinkSide]);
      if (!op.uplink) {
        steps.db.push(['--if-exists', 'del-port', op.bridge, bridgeSide]);
        break;
      }
      // An access port on the uplink side: it tags what leaves the network and admits only
      // its own VLAN (tag 0: untagged frames only), so no VLAN leaks into another network.
      steps.db.push(
        ['--may-exist', 'add-port', op.bridge, bridgeSide],
        ['set', 'Interface', bridgeSide, 'type=patch', `options:peer=${uplinkSide}`],
        ['add-port', uplinkBridgeName(op.uplink.device), uplinkSide],
        ['set', 'Interface', uplinkSide, 'type=patch', `options:peer=${bridgeSide}`],
        ['set', 'Port', uplinkSide, 'vlan_mode=access', `tag=${op.uplink.vlan ?? 0}`],
      );
      break;
    }
    case 'setBridgeTunnels':
      steps.db.push(...tunnelCommands(op, options.tunnelBfdMs));
      break;
    case 'addPort': {
      steps.db.push(...addPortCommands(op, options));
      steps.flows.push(
        bundle(op.bridge, [deleteFlows(op.port, 'forwarding'), ...pendingFlows(op.port)]),
      );
      break;
    }
    case 'setPortAddress': {
      const { mac, ipv4, ipv6, extraIps, allowedPairs } = op.address;
      const more = extraIps || allowedPairs ? JSON.stringify({ extraIps, allowedPairs }) : '';
      steps.db.push([
        ...['remove', 'Interface', op.port, 'external_ids'],
        ...[EXT.ipv4, EXT.ipv6, EXT.addresses],
      ]);
      const ips = [
        ipv4 && ext(EXT.ipv4, ipv4),
        ipv6 && ext(EXT.ipv6, ipv6),
        more && ext(EXT.addresses, more),
      ].filter((x) => !!x);
      steps.db.push(['set', 'Interface', op.port, ext(EXT.mac, mac), ...(ips as string[])]);
      break;
    }
    case 'setPortQos': {
      steps.db.push(...qosCommands(op.port, op.qos, id));
      const { ingressKbps = 0, ingressBurstKb = 0 } = op.qos ?? {};
      steps.flows.push({
        kind: 'meter',
        bridge: op.bridge,
        port: op.port,
        kbps: ingressKbps,
        burstKb: ingressBurstKb,
      });
      break;
    }
    case 'setPortSecurity': {
      const flows = op.enabled ? securityFlows(op.port, op.address) : [];
      steps.db.push(['set', 'Interface', op.port, ext(EXT.securityFlows, String(flows.length))]);
      steps.flows.push(bundle(op.bridge, [deleteFlows(op.port, 'security'), ...flows]));
      break;
    }
    case 'setPortAcls': {
      const flows = aclFlows(op.bridge, op.port, op.mac, op.acls, op.aclDefault);
      // Two rules may write the same flow: the count is of what OpenFlow holds.
      const held = installed(flows);
      steps.db.push(
        ...aclRecordCommands(op.bridge, op.port, op.acls, [
          ext(EXT.aclDefault, op.aclDefault ?? 'allow'),
          ext(EXT.aclFlows, String(held.size)),
        ]),
      );
      // Known previous flows change flow by flow; unknown ones (not as written) all go.
      const { previous } = op;
      const lines = previous
        ? aclFlowChanges(
            aclFlows(op.bridge, op.port, previous.mac, previous.acls, previous.aclDefault),
            held,
          )
        : [deleteFlows(op.port, 'acl'), deleteRuleFlows(op.port), ...flows];
      if (lines.length > 0) steps.flows.push(bundle(op.bridge, lines));
      // Flooded frames reach a port with ACLs only through them (flows.ts, floodFlows). Only
      // when that changes (a rule change on 1,000 ports sets none); a bridge's port configs
      // go in one OpenFlow session after its flows (batching.ts, mergeSteps).
      const flood = !hasAclPipeline(op);
      if (!previous || flood === hasAclPipeline(previous))
        steps.flows.push({
          kind: 'portFlood',
          bridge: op.bridge,
          ports: [{ port: op.port, flood }],
        });
      break;
    }
    case 'setBridgeFlood': {
      const replace = (ports: string[]) =>
        bundle(op.bridge, [
          `delete cookie=${hex(floodCookie(op.bridge))}/-1`,
          ...floodFlows(op.bridge, ports),
        ]);
      // A port leaving goes before anything else changes (its copy would otherwise reach
      // NORMAL through its pending or removed delivery flows and be flooded twice); a port
      // joining, once it forwards.
      const kept = op.ports.filter((port) => op.previous.includes(port));
      if (kept.length < op.previous.length) steps.before.push(replace(kept));
      steps.afterFlows.push(replace(op.ports));
      break;
    }
    case 'setPortForwarding':
      if (op.forwarding) {
        steps.afterDb.push(['set', 'Port', op.port, 'vlan_mode=access', 'tag=0']);
        // An armed port's handover ends here too (its flows are `forwarding` ones), in the same
        // bundle as its learned gate: a port the VM has opened forwards throughout. A watched
        // port's flows stay: the port forwards while watched (Port.handover).
        steps.afterFlows.push(
          bundle(op.bridge, [
            deleteFlows(op.port, 'forwarding'),
            deleteFlows(op.port, 'announced'),
          ]),
        );
      } else {
        // Stop what the VM sends first, then move the port into the dead VLAN for what it gets.
        steps.before.push(
          bundle(op.bridge, [
            ...HANDOVER_CONCERNS.map((c) => deleteFlows(op.port, c)),
            ...pendingFlows(op.port),
          ]),
        );
        steps.db.push(['set', 'Port', op.port, 'vlan_mode=access', `tag=${PENDING_VLAN}`]);
      }
      break;
    case 'setPortHandover':
      steps.db.push(
        op.handover
          ? ['set', 'Interface', op.port, ext(EXT.handover, op.handover)]
          : ['--if-exists', 'remove', 'Interface', op.port, 'external_ids', EXT.handover],
      );
      if (op.handover === 'armed') {
        // In the network's VLAN, so that NORMAL delivers to it once it opens; its flows let
        // nothing it sends through before then (handover-flows.ts).
        steps.flows.push(
          bundle(op.bridge, [
            ...HANDOVER_CONCERNS.map((c) => deleteFlows(op.port, c)),
            ...armedFlows(op.port, op.mac),
          ]),
        );
        steps.afterDb.push(['set', 'Port', op.port, 'vlan_mode=access', 'tag=0']);
      } else {
        // Watched, or back from either: a port that forwards has no `forwarding` flows, and a
        // pending one gets its pending flows back.
        const lines = [deleteFlows(op.port, 'handover'), deleteFlows(op.port, 'announced')];
        if (op.handover === 'watched') lines.push(...watchFlows(op.port, op.mac));
        else if (!op.forwarding) {
          lines.push(deleteFlows(op.port, 'forwarding'), ...pendingFlows(op.port));
          steps.db.push(['set', 'Port', op.port, 'vlan_mode=access', `tag=${PENDING_VLAN}`]);
        }
        steps.flows.push(bundle(op.bridge, lines));
      }
      break;
    case 'announcePort':
      // Sent through the whole pipeline as if the VM sent them (port security and ingress ACLs
      // included), in the bundle that lifted the port's drop flow, right after it.
      steps.afterFlows.push(
        bundle(
          op.bridge,
          announceFrames(op.address).map((frame) => packetOut(op.port, frame)),
        ),
      );
      break;
    case 'setMirrors':
      steps.db.push(...mirrorCommands(op.bridge, op.mirrors, id));
      break;
    case 'setMirrorTunnels': {
      const { before, flows } = mirrorTunnelFlows(op);
      if (before.length > 0) steps.before.push(bundle(op.bridge, before));
      steps.db.push(...mirrorTunnelCommands(op));
      if (flows.length > 0) steps.flows.push(bundle(op.bridge, flows));
      break;
    }
    case 'resetPort':
      // By cookie: the flows name an OpenFlow port number the port no longer has. (Its meter,
      // numbered the same, goes when a port next gets that number: setMeter deletes it first.)
      steps.before.push(bundle(op.bridge, [deleteFlows(op.port)]));
      // Deleted, and once ovs-vswitchd has let the device go, added again: the userspace
      // datapath keeps a vanished device's port (and its number) and would go on sending to
      // the old device, and one transaction deleting and adding the name changes nothing.
      steps.db.push(['--if-exists', 'del-port', op.port]);
      steps.afterDb.push(...addPortCommands(op, options));
      break;
    case 'setHostInterface':
    case 'deleteHostInterface':
      // Applied by OvsHostInterfaces (host-interfaces.ts) around the switch's steps, never here.
      break;
  }
  return steps;
}
