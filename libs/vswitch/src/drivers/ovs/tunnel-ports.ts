import type { TunnelPort } from '../../model/host-state.js';
import type { Operation } from '../../planner/operation.js';
import { EXT, ext } from './ovsdb-commands.js';
import { asStringMap, asString, type Row } from './ovsdb-json.js';

/*
 * An overlay network's VXLAN ports (model/overlay.ts): one per remote host, `key` fixed to the
 * network's VNI, so a frame decapsulated with another VNI matches no port of this bridge and
 * networks never see each other's frames. `local_ip` pins the source to the host's endpoint,
 * whose address sits on the uplink bridge of its device (the userspace datapath routes a
 * tunnel out of the bridge that holds the route's source). Every tunnel port is `protected`:
 * NORMAL never forwards between two protected ports, which is split horizon for the mesh.
 */

/** Interface options a tunnel port carries, all of them (anything else reads as edited). */
const tunnelOptions = (t: TunnelPort): Record<string, string> => ({
  key: String(t.vni),
  remote_ip: t.remoteIp,
  local_ip: t.localIp,
});

/** One transaction's commands for a setBridgeTunnels operation. */
export function tunnelCommands(op: Extract<Operation, { kind: 'setBridgeTunnels' }>): string[][] {
  const commands = op.stale.map((port) => ['--if-exists', 'del-port', op.bridge, port]);
  for (const tunnel of op.tunnels) {
    const options = Object.entries(tunnelOptions(tunnel)).map(
      ([key, value]) => `options:${key}=${JSON.stringify(value)}`,
    );
    commands.push(
      ['--may-exist', 'add-port', op.bridge, tunnel.name],
      // Whole options map: a key added by hand goes.
      ['clear', 'Interface', tunnel.name, 'options'],
      [
        'set',
        'Interface',
        tunnel.name,
        'type=vxlan',
        ...options,
        ext(EXT.tunnel, tunnel.remoteHost),
      ],
      ['set', 'Port', tunnel.name, 'protected=true'],
    );
  }
  return commands;
}

/**
 * The bridge's tunnel ports as the switch holds them: a port the host marked as its tunnel,
 * still of type vxlan and protected, with exactly the options it writes. One that lost any of
 * that reads back with what it has now, or not at all, so the planner writes it again.
 */
export function readTunnels(ports: Row[], ifaceOf: (port: Row) => Row | undefined): TunnelPort[] {
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
    if (!Number.isInteger(vni) || extra) continue;
    tunnels.push(tunnel);
  }
  return tunnels;
}

/** True for a port the host put on the bridge as one of its tunnels. */
export const isTunnelInterface = (iface: Row | undefined): boolean =>
  asStringMap(iface?.external_ids).has(EXT.tunnel);
