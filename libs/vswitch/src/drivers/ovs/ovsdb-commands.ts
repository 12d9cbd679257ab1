import type { Mirror, Uplink } from '../../model/host-state.js';
import type { BondMode, VifQos } from '../../model/topology.js';
import type { ResolvedOvsOptions } from './ovs-options.js';

/**
 * poolnet's metadata in OVSDB `external_ids`: what `readActual` reads back, and how the driver
 * tells its own rows from anyone else's (it never touches a bridge without them).
 */
export const EXT = {
  network: 'poolnet-network',
  uplink: 'poolnet-uplink',
  vif: 'poolnet-vif',
  vm: 'poolnet-vm',
  mac: 'attached-mac',
  ipv4: 'poolnet-ipv4',
  ipv6: 'poolnet-ipv6',
  /** JSON of the port's further addresses and address pairs, when it has any. */
  addresses: 'poolnet-addresses',
  /** The port's whole rule list as JSON: written before acl-records.ts, still read. */
  acls: 'poolnet-acls',
  /** The hashes of the port's rules, in order, each stored on the bridge (acl-records.ts). */
  aclRules: 'poolnet-acl-rules',
  aclFlows: 'poolnet-acl-flows',
  /** `deny` when the port drops what no rule admits (Port.aclDefault). */
  aclDefault: 'poolnet-acl-default',
  securityFlows: 'poolnet-security-flows',
  /** A migrating port's handover (`armed`, `watched`): handover-flows.ts. */
  handover: 'poolnet-handover',
  mirror: 'poolnet-mirror',
  qosOwner: 'poolnet-port',
  /** On an overlay bridge's VXLAN port: the remote host it leads to (tunnel-ports.ts). */
  tunnel: 'poolnet-tunnel',
  /** On a mirror's GRE port (mirror-tunnel-ports.ts): the mirror, the host at the other end, and on the monitor's host the port it delivers to. */
  mirrorTunnel: 'poolnet-mirror-tunnel',
  mirrorRemote: 'poolnet-mirror-remote',
  mirrorDeliver: 'poolnet-mirror-deliver',
} as const;

/** Values are quoted so MACs, IPv6 addresses and JSON reach OVSDB as plain strings. */
export const ext = (key: string, value: string): string =>
  `external_ids:${key}=${JSON.stringify(value)}`;

const BOND_SETTINGS: Record<BondMode, string[]> = {
  'active-backup': ['bond_mode=active-backup', 'lacp=off'],
  'balance-slb': ['bond_mode=balance-slb', 'lacp=off'],
  lacp: ['bond_mode=balance-tcp', 'lacp=active'],
};

/**
 * A NIC sits on one bridge only, so each uplink device gets its own bridge and network bridges
 * join it through patch ports. The NIC or bond is re-added so a changed bond is rebuilt whole;
 * the patch ports on this bridge are left alone.
 */
export function uplinkCommands(uplink: Uplink, options: ResolvedOvsOptions): string[][] {
  const { bridge, device, bond } = uplink;
  return [
    ['--may-exist', 'add-br', bridge],
    [
      'set',
      'Bridge',
      bridge,
      `datapath_type=${options.datapathType}`,
      'fail_mode=standalone',
      ext(EXT.uplink, device),
    ],
    ['--if-exists', 'del-port', bridge, device],
    bond
      ? ['add-bond', bridge, device, ...bond.members, ...BOND_SETTINGS[bond.mode]]
      : ['add-port', bridge, device],
  ];
}

export function bondModeOf(ovsMode: string | undefined, lacp: string | undefined): BondMode {
  if (lacp === 'active' || ovsMode === 'balance-tcp') return 'lacp';
  return ovsMode === 'balance-slb' ? 'balance-slb' : 'active-backup';
}

/**
 * Egress shaping as a linux-htb QoS with one queue (rates in bit/s, burst in bits). QoS and
 * Queue are root tables, so replaced rows linger until the driver's garbage collection.
 */
export function qosCommands(port: string, qos: VifQos | null, id: () => string): string[][] {
  if (!qos || qos.egressKbps <= 0) return [['clear', 'Port', port, 'qos']];
  const [q, queue] = [id(), id()];
  const rate = `other_config:max-rate=${qos.egressKbps * 1000}`;
  return [
    ['set', 'Port', port, `qos=@${q}`],
    [
      `--id=@${q}`,
      'create',
      'QoS',
      'type=linux-htb',
      rate,
      `queues:0=@${queue}`,
      ext(EXT.qosOwner, port),
    ],
    [
      `--id=@${queue}`,
      'create',
      'Queue',
      rate,
      `other_config:burst=${qos.egressBurstKb * 1000}`,
      ext(EXT.qosOwner, port),
    ],
  ];
}

/** The bridge's whole mirror set, replaced in one go; unreferenced Mirror rows are collected. */
export function mirrorCommands(bridge: string, mirrors: Mirror[], id: () => string): string[][] {
  const commands: string[][] = [['clear', 'Bridge', bridge, 'mirrors']];
  for (const mirror of mirrors) {
    const ref = (port: string): string => {
      const name = id();
      commands.push([`--id=@${name}`, 'get', 'Port', port]);
      return `@${name}`;
    };
    const sources = mirror.sourcePorts.map(ref).join(',');
    const select = [
      ...(mirror.direction !== 'egress' ? [`select_src_port=${sources}`] : []),
      ...(mirror.direction !== 'ingress' ? [`select_dst_port=${sources}`] : []),
    ];
    const output = ref(mirror.outputPort);
    const row = id();
    commands.push(
      [
        `--id=@${row}`,
        'create',
        'Mirror',
        `name=${mirror.name}`,
        ...select,
        `output_port=${output}`,
        ext(EXT.mirror, mirror.mirrorId),
      ],
      ['add', 'Bridge', bridge, 'mirrors', `@${row}`],
    );
  }
  return commands;
}
