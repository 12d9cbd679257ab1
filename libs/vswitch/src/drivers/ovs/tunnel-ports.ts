import type { TunnelPort } from '../../model/host-state.js';
import type { Operation } from '../../planner/operation.js';
import type { TunnelLiveness } from '../driver.js';
import { EXT, ext } from './ovsdb-commands.js';
import { asStringMap, asString, type Row } from './ovsdb-json.js';

/*
 * An overlay network's VXLAN ports (model/overlay.ts): one per remote host, `key` fixed to the
 * network's VNI, so a frame decapsulated with another VNI matches no port of this bridge and
 * networks never see each other's frames. `local_ip` pins the source to the host's endpoint,
 * whose address sits on the uplink bridge of its device (the userspace datapath routes a
 * tunnel out of the bridge that holds the route's source). Every tunnel port is `protected`:
 * NORMAL never forwards between two protected ports, which is split horizon for the mesh.
 *
 * Each tunnel runs BFD (RFC 5880, Open vSwitch's `bfd` column): both ends of a tunnel send
 * control packets through it, so a tunnel reads `up` only while the remote host's switch has
 * the matching tunnel and the underlay carries it both ways. That is the one thing a tunnel
 * port's presence does not say: an endpoint address gone, a cut underlay link or a remote
 * ovs-vswitchd that died all leave the local port in place. ovs-vswitchd answers BFD itself,
 * before the OpenFlow tables, so the bridges' secure pipelines need no flow for it.
 */

/** The `bfd` column a tunnel carries, all of it (anything else reads as edited); {} when off. */
export const tunnelBfd = (intervalMs: number): Record<string, string> =>
  intervalMs > 0 ? { enable: 'true', min_rx: String(intervalMs), min_tx: String(intervalMs) } : {};

/** Interface options a tunnel port carries, all of them (anything else reads as edited). */
const tunnelOptions = (t: TunnelPort): Record<string, string> => ({
  key: String(t.vni),
  remote_ip: t.remoteIp,
  local_ip: t.localIp,
});

const mapColumn = (column: string, entries: Record<string, string>): string[] =>
  Object.entries(entries).map(([key, value]) => `${column}:${key}=${JSON.stringify(value)}`);

/** One transaction's commands for a setBridgeTunnels operation. */
export function tunnelCommands(
  op: Extract<Operation, { kind: 'setBridgeTunnels' }>,
  bfdMs: number,
): string[][] {
  const commands = op.stale.map((port) => ['--if-exists', 'del-port', op.bridge, port]);
  for (const tunnel of op.tunnels) {
    commands.push(
      ['--may-exist', 'add-port', op.bridge, tunnel.name],
      // Whole options and bfd maps: a key added by hand goes.
      ['clear', 'Interface', tunnel.name, 'options', 'bfd'],
      [
        'set',
        'Interface',
        tunnel.name,
        'type=vxlan',
        ...mapColumn('options', tunnelOptions(tunnel)),
        ...mapColumn('bfd', tunnelBfd(bfdMs)),
        ext(EXT.tunnel, tunnel.remoteHost),
      ],
      ['set', 'Port', tunnel.name, 'protected=true'],
    );
  }
  return commands;
}

/**
 * The bridge's tunnel ports as the switch holds them: a port the host marked as its tunnel,
 * still of type vxlan and protected, with exactly the options and BFD settings it writes. One
 * that lost any of that reads back with what it has now, or not at all, so the planner writes
 * it again.
 */
export function readTunnels(
  ports: Row[],
  ifaceOf: (port: Row) => Row | undefined,
  bfdMs: number,
): TunnelPort[] {
  const bfd = JSON.stringify(Object.entries(tunnelBfd(bfdMs)).sort());
  const tunnels: TunnelPort[] = [];
  for (const port of ports) {
    const iface = ifaceOf(port);
    const remoteHost = asStringMap(iface?.external_ids).get(EXT.tunnel);
    if (!iface || remoteHost === undefined) continue;
    if (asString(iface.type) !== 'vxlan' || port.protected !== true) continue;
    const options = asStringMap(iface.options);
    const vni = Number(options.get('key'));
    const tunnel: TunnelPort = {
      name: asString(port.name),
      remoteHost,
      remoteIp: options.get('remote_ip') ?? '',
      localIp: options.get('local_ip') ?? '',
      vni,
    };
    const extra = [...options.keys()].some((key) => !(key in tunnelOptions(tunnel)));
    const bfdAsSet = JSON.stringify([...asStringMap(iface.bfd)].sort());
    if (!Number.isInteger(vni) || extra || bfdAsSet !== bfd) continue;
    tunnels.push(tunnel);
  }
  return tunnels;
}

/** True for a port the host put on the bridge as one of its tunnels. */
export const isTunnelInterface = (iface: Row | undefined): boolean =>
  asStringMap(iface?.external_ids).has(EXT.tunnel);

/** Each host tunnel with a BFD session, by port name (the Interface rows' name and bfd_status). */
export function readTunnelLiveness(interfaces: Row[]): Map<string, TunnelLiveness> {
  const liveness = new Map<string, TunnelLiveness>();
  for (const iface of interfaces) {
    if (!isTunnelInterface(iface)) continue;
    const status = asStringMap(iface.bfd_status);
    const state = status.get('state');
    if (state === undefined) continue;
    liveness.set(asString(iface.name), { state, diagnostic: status.get('diagnostic') ?? '' });
  }
  return liveness;
}
