import type { MirrorTunnel } from '../../model/host-state.js';
import type { Operation } from '../../planner/operation.js';
import { cookie, deleteFlows, flow, TABLE } from './flows.js';
import { EXT, ext } from './ovsdb-commands.js';
import { asOptionalNumber, asString, asStringMap, type Row } from './ovsdb-json.js';

/*
 * The GRE ports of cross-host mirrors (model/mirror-legs.ts). GRE rather than ERSPAN: both ends
 * are poolnet's own switches, so ERSPAN's extra header (session, direction, hardware id) would
 * be read by no one, and its session id has 10 bits where a GRE key has 32 (one key per mirror
 * and source network, hashed: docs/design.md). Each port:
 * - sits in VLAN 4095, which no VIF port uses, so NORMAL never floods or learns into it: a
 *   receiving port gets nothing of the monitor's network, a sending one is the mirror's output
 *   (Open vSwitch forwards it nothing else anyway and discards what arrives on it);
 * - has one flow in the admission table at the top priority, above port security and the
 *   pending ports': a receiving port hands every frame to its monitor's port and nowhere else
 *   (an `output`, so no MAC is learned from the copies and no ACL judges them, as a local
 *   mirror's copies are not judged either); a sending port drops what arrives.
 */

const MIRROR_TUNNEL_VLAN = '4095';
const PRIORITY = 65100;

/** Interface options a mirror tunnel carries, all of them (anything else reads as edited). */
const greOptions = (t: MirrorTunnel): Record<string, string> => ({
  key: String(t.key),
  remote_ip: t.remoteIp,
  local_ip: t.localIp,
});

/** The one flow a mirror tunnel port has (cookie: its name's `forwarding` concern). */
export const mirrorTunnelFlow = (t: MirrorTunnel): string =>
  flow(
    cookie(t.name, 'forwarding'),
    TABLE.admission,
    PRIORITY,
    `in_port=${t.name}`,
    t.deliverTo === undefined ? 'drop' : `output:${t.deliverTo}`,
  );

/** OVSDB commands of a setMirrorTunnels operation: stale ports go, each tunnel written whole. */
export function mirrorTunnelCommands(
  op: Extract<Operation, { kind: 'setMirrorTunnels' }>,
): string[][] {
  const commands = op.stale.map((port) => ['--if-exists', 'del-port', op.bridge, port]);
  for (const tunnel of op.tunnels) {
    const options = Object.entries(greOptions(tunnel)).map(
      ([key, value]) => `options:${key}=${JSON.stringify(value)}`,
    );
    commands.push(
      ['--may-exist', 'add-port', op.bridge, tunnel.name],
      ['clear', 'Interface', tunnel.name, 'options'],
      ['remove', 'Interface', tunnel.name, 'external_ids', EXT.mirrorDeliver],
      [
        'set',
        'Interface',
        tunnel.name,
        'type=gre',
        ...options,
        ext(EXT.mirrorTunnel, tunnel.mirrorId),
        ext(EXT.mirrorRemote, tunnel.remoteHost),
        ...(tunnel.deliverTo === undefined ? [] : [ext(EXT.mirrorDeliver, tunnel.deliverTo)]),
      ],
      ['set', 'Port', tunnel.name, 'vlan_mode=access', `tag=${MIRROR_TUNNEL_VLAN}`],
    );
  }
  return commands;
}

/** Flow-mod lines: stale ports' flows go before the ports do, each tunnel's flow is rewritten. */
export function mirrorTunnelFlows(op: Extract<Operation, { kind: 'setMirrorTunnels' }>): {
  before: string[];
  flows: string[];
} {
  return {
    before: op.stale.map((port) => deleteFlows(port)),
    flows: op.tunnels.flatMap((t) => [deleteFlows(t.name, 'forwarding'), mirrorTunnelFlow(t)]),
  };
}

/**
 * The bridge's mirror tunnels as the switch holds them: a GRE port the host marked as a mirror
 * tunnel, in its VLAN, with exactly the options it writes and its one flow. A port whose flow is gone reads back as absent, so the planner writes it again.
 */
export function readMirrorTunnels(
  ports: Row[],
  ifaceOf: (port: Row) => Row | undefined,
  flowCount: (port: string) => number,
): MirrorTunnel[] {
  const tunnels: MirrorTunnel[] = [];
  for (const port of ports) {
    const iface = ifaceOf(port);
    const ids = asStringMap(iface?.external_ids);
    const mirrorId = ids.get(EXT.mirrorTunnel);
    const remoteHost = ids.get(EXT.mirrorRemote);
    if (!iface || mirrorId === undefined || remoteHost === undefined) continue;
    if (asString(iface.type) !== 'gre') continue;
    if (String(asOptionalNumber(port.tag)) !== MIRROR_TUNNEL_VLAN) continue;
    // Its flow lost: read as absent, so the planner writes the port and its flow again.
    if (flowCount(asString(port.name)) !== 1) continue;
    const options = asStringMap(iface.options);
    const key = Number(options.get('key'));
    const name = asString(port.name);
    const deliverTo = ids.get(EXT.mirrorDeliver);
    const tunnel: MirrorTunnel = {
      name,
      mirrorId,
      remoteHost,
      remoteIp: options.get('remote_ip') ?? '',
      localIp: options.get('local_ip') ?? '',
      key,
      ...(deliverTo !== undefined ? { deliverTo } : {}),
    };
    const extra = [...options.keys()].some((k) => !(k in greOptions(tunnel)));
    if (!Number.isInteger(key) || extra) continue;
    tunnels.push(tunnel);
  }
  return tunnels;
}

/** True for a port the host put on a bridge as one of its mirror tunnels. */
export const isMirrorTunnelInterface = (iface: Row | undefined): boolean =>
  asStringMap(iface?.external_ids).has(EXT.mirrorTunnel);
