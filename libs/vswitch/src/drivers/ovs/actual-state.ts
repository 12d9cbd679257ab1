import { armedFlows, watchFlows } from './handover-flows.js';
import { normalizeQos, normalizeState } from '../../model/canonical.js';
import type {
  Bridge,
  BridgeUplink,
  HostActualState,
  Mirror,
  Port,
  Uplink,
} from '../../model/host-state.js';
import { patchPortNames } from '../../model/naming.js';
import { BridgeAclRecords } from './acl-records.js';
import {
  aclCookies,
  BASE_FLOW_COUNT,
  BASE_FLOW_COUNT_BEFORE_EXEMPTIONS,
  cookie,
  type Concern,
} from './flows.js';
import { hasDevice } from './device-watch.js';
import { bondModeOf, EXT } from './ovsdb-commands.js';
import { readMirrorTunnels } from './mirror-tunnel-ports.js';
import { readTunnels } from './tunnel-ports.js';
import {
  asMap,
  asOptionalNumber,
  asSet,
  asString,
  asStringMap,
  asUuid,
  asUuids,
  type Row,
} from './ovsdb-json.js';

export interface Meter {
  kbps: number;
  burstKb: number;
}

/** Everything `readActual` reads, before interpretation. */
export interface OvsSnapshot {
  tables: Record<'bridges' | 'ports' | 'interfaces' | 'mirrors' | 'qos' | 'queues', Row[]>;
  /** Per bridge: number of flows per cookie. */
  flows: Map<string, Map<bigint, number>>;
  /** Per bridge: meters by id. */
  meters: Map<string, Map<number, Meter>>;
  /** Per port with a learned handover gate: when the VM announced itself (handover-flows.ts). */
  announcements?: ReadonlyMap<string, number>;
  /** The BFD interval the driver gives tunnels (tunnel-ports.ts); a tunnel without it is edited. */
  tunnelBfdMs: number;
}

const byUuid = (rows: Row[]): Map<string, Row> =>
  new Map(rows.map((row) => [asUuid(row._uuid) ?? '', row]));

const lookup = (rows: Map<string, Row>, refs: unknown): Row[] =>
  asUuids(refs)
    .map((uuid) => rows.get(uuid))
    .filter((row): row is Row => row !== undefined);

/**
 * What the switch does, interpreted from OVSDB and OpenFlow. Flow-backed settings (security,
 * ACLs, forwarding, policing) count only when their flows are all installed: lost flows read as
 * an unprotected port, so the planner puts them back.
 */
export function actualState({
  tables,
  flows,
  meters,
  announcements,
  tunnelBfdMs,
}: OvsSnapshot): HostActualState {
  const ports = byUuid(tables.ports);
  const ifaces = byUuid(tables.interfaces);
  const ifaceByName = new Map(tables.interfaces.map((i) => [asString(i.name), i]));
  const portRows = (bridge: Row): Row[] => lookup(ports, bridge.ports);
  const portIfaces = (port: Row): Row[] => lookup(ifaces, port.interfaces);

  const [qosRows, queues, mirrors] = [
    byUuid(tables.qos),
    byUuid(tables.queues),
    byUuid(tables.mirrors),
  ];
  const isVif = (port: Row): boolean => asStringMap(portIfaces(port)[0]?.external_ids).has(EXT.vif);

  const uplinks: Uplink[] = [];
  const uplinkOfPort = new Map<string, { device: string; port: Row }>();
  for (const bridge of tables.bridges) {
    const device = asStringMap(bridge.external_ids).get(EXT.uplink);
    const nic = portRows(bridge).find((p) => p.name === device);
    if (!device || !nic) continue;
    const members = portIfaces(nic).map((i) => asString(i.name));
    const bonded = members.length !== 1 || members[0] !== device;
    const mode = bondModeOf(asString(nic.bond_mode), asString(asSet(nic.lacp)[0]));
    uplinks.push({
      device,
      bridge: asString(bridge.name),
      ...(bonded ? { bond: { members, mode } } : {}),
    });
    for (const port of portRows(bridge)) uplinkOfPort.set(asString(port.name), { device, port });
  }

  const bridges: Bridge[] = [];
  for (const row of tables.bridges) {
    const networkId = asStringMap(row.external_ids).get(EXT.network);
    if (!networkId) continue;
    const name = asString(row.name);
    const count = (port: string, concern: Concern): number =>
      (concern === 'acl' ? aclCookies(port) : [cookie(port, concern)]).reduce(
        (sum, c) => sum + (flows.get(name)?.get(c) ?? 0),
        0,
      );
    // Without its pipeline a secure-mode bridge forwards nothing: report it absent, so the
    // planner rebuilds it whole (its port flows went with the table).
    const base = count(name, 'base');
    if (base !== BASE_FLOW_COUNT && base !== BASE_FLOW_COUNT_BEFORE_EXEMPTIONS) continue;
    const records = new BridgeAclRecords(asStringMap(row.external_ids));
    const tunnels = readTunnels(portRows(row), (port) => portIfaces(port)[0], tunnelBfdMs);
    const mirrorTunnels = readMirrorTunnels(
      portRows(row),
      (port) => portIfaces(port)[0],
      (port) => count(port, 'forwarding'),
    );
    bridges.push({
      name,
      networkId,
      mtu: asOptionalNumber(ifaceByName.get(name)?.mtu_request) ?? 0,
      ...uplinkOf(name, ifaceByName, uplinkOfPort),
      ...(tunnels.length > 0 ? { tunnels } : {}),
      ...(mirrorTunnels.length > 0 ? { mirrorTunnels } : {}),
      ports: portRows(row)
        .filter(isVif)
        .map((port) => {
          const iface = portIfaces(port)[0] ?? {};
          const read = readPort(port, iface, count, meters.get(name), qosRows, queues, records);
          return withHandover(read, iface, count, announcements);
        }),
      mirrors: readMirrors(row, mirrors, ports),
    });
  }
  return normalizeState({ uplinks, bridges });
}

function uplinkOf(
  bridge: string,
  ifaces: Map<string, Row>,
  uplinkOfPort: Map<string, { device: string; port: Row }>,
): { uplink?: BridgeUplink } {
  const { bridgeSide, uplinkSide } = patchPortNames(bridge);
  const peer = (iface: Row | undefined) => asStringMap(iface?.options).get('peer');
  const far = uplinkOfPort.get(uplinkSide);
  if (
    !far ||
    peer(ifaces.get(bridgeSide)) !== uplinkSide ||
    peer(ifaces.get(uplinkSide)) !== bridgeSide
  ) {
    return {};
  }
  const vlan = asOptionalNumber(far.port.tag);
  return { uplink: { device: far.device, ...(vlan ? { vlan } : {}) } };
}

function readPort(
  port: Row,
  iface: Row,
  count: (port: string, concern: Concern) => number,
  meters: Map<number, Meter> | undefined,
  qosRows: Map<string, Row>,
  queues: Map<string, Row>,
  records: BridgeAclRecords,
): Port {
  const name = asString(port.name);
  const e = asStringMap(iface.external_ids);
  const expectedSecurity = Number(e.get(EXT.securityFlows) ?? 0);
  // The rules as stored; a rule whose record is gone leaves the flows unknown, as lost ones.
  const stored = records.portRules(e);
  const aclsIntact =
    stored !== undefined && Number(e.get(EXT.aclFlows) ?? 0) === count(name, 'acl');
  const meter =
    count(name, 'qos') > 0 ? meters?.get(asOptionalNumber(iface.ofport) ?? -1) : undefined;
  const qos = qosRows.get(asUuids(port.qos)[0] ?? '');
  const queue = queues.get(asUuid(asMap(qos?.queues).get('0')) ?? '');
  const shaping = asStringMap(queue?.other_config);
  const recorded = {
    name,
    vifId: e.get(EXT.vif) ?? '',
    vmId: e.get(EXT.vm) ?? '',
    mac: e.get(EXT.mac) ?? '',
    ipv4: e.get(EXT.ipv4),
    ipv6: e.get(EXT.ipv6),
    ...(JSON.parse(e.get(EXT.addresses) ?? '{}') as Pick<Port, 'extraIps' | 'allowedPairs'>),
  };
  // No device: the flows that name the port cannot be there (no OpenFlow port), or would name
  // a port number the next device may not get. Any flow it holds was for an earlier device.
  if (!hasDevice(iface)) {
    // An OpenFlow port without a device: the userspace datapath still holds the one that went.
    const held =
      (asOptionalNumber(iface.ofport) ?? -1) > 0 ||
      (['forwarding', 'security', 'qos', 'acl', 'learned'] as const).some(
        (concern) => count(name, concern) > 0,
      );
    return {
      ...recorded,
      portSecurity: false,
      forwarding: false,
      acls: [],
      plugged: false,
      ...(held ? { heldDevice: true as const } : {}),
    };
  }
  return {
    ...recorded,
    qos: normalizeQos({
      ingressKbps: meter?.kbps ?? 0,
      ingressBurstKb: meter?.burstKb ?? 0,
      egressKbps: Number(shaping.get('max-rate') ?? 0) / 1000,
      egressBurstKb: Number(shaping.get('burst') ?? 0) / 1000,
    }),
    portSecurity: expectedSecurity > 0 && count(name, 'security') === expectedSecurity,
    forwarding: asOptionalNumber(port.tag) !== 4095 && count(name, 'forwarding') === 0,
    acls: aclsIntact && stored ? stored : [],
    // Lost ACL flows read as no policy at all, so the planner writes the whole pipeline again.
    ...(aclsIntact && e.get(EXT.aclDefault) === 'deny' ? { aclDefault: 'deny' as const } : {}),
    ...(aclsIntact ? {} : { aclFlowsLost: true as const }),
  };
}

/**
 * A port's handover counts when its flows are all there (lost ones read as none, so the planner
 * writes them again); an armed port's flows are its `forwarding` ones, so it reads pending.
 */
function withHandover(
  port: Port,
  iface: Row,
  count: (port: string, concern: Concern) => number,
  announcements: ReadonlyMap<string, number> | undefined,
): Port {
  const recorded = asStringMap(iface.external_ids).get(EXT.handover);
  if (port.plugged === false || (recorded !== 'armed' && recorded !== 'watched')) return port;
  const intact =
    recorded === 'armed'
      ? count(port.name, 'forwarding') === armedFlows(port.name, port.mac).length
      : count(port.name, 'handover') === watchFlows(port.name, port.mac).length;
  if (!intact) return port;
  const at = count(port.name, 'announced') > 0 ? announcements?.get(port.name) : undefined;
  return { ...port, handover: recorded, ...(at !== undefined ? { announcedAt: at } : {}) };
}

function readMirrors(bridge: Row, mirrors: Map<string, Row>, ports: Map<string, Row>): Mirror[] {
  const names = (value: unknown) => asUuids(value).map((u) => asString(ports.get(u)?.name));
  return asUuids(bridge.mirrors).flatMap((uuid): Mirror[] => {
    const row = mirrors.get(uuid);
    const mirrorId = asStringMap(row?.external_ids).get(EXT.mirror);
    const [outputPort] = names(row?.output_port);
    const [src, dst] = [names(row?.select_src_port), names(row?.select_dst_port)];
    if (!row || !mirrorId || !outputPort || src.length + dst.length === 0) return [];
    const direction = src.length && dst.length ? 'both' : src.length ? 'ingress' : 'egress';
    const sourcePorts = [...new Set([...src, ...dst])].sort();
    return [{ name: asString(row.name), mirrorId, direction, sourcePorts, outputPort }];
  });
}
