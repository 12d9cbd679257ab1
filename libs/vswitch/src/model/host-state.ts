import type {
  AclAction,
  AclProtocol,
  AddressPair,
  BondMode,
  Direction,
  IpConfig,
  MirrorDirection,
  VifQos,
} from './topology.js';
import type { PortHandover } from '@pool/contracts';

/**
 * What one host's virtual switches look like. The model derives the desired value, a driver reads
 * back the actual one, and the planner diffs the two, so both use this one shape.
 */
export interface HostSwitchState {
  /** Per-host bridges that hold a physical NIC or bond; network bridges reach them by VLAN. */
  uplinks: Uplink[];
  bridges: Bridge[];
  /** The host's own IP interfaces, sorted by name; absent when it has none. */
  interfaces?: HostInterface[];
}

/**
 * An address of the host itself (management, storage): an internal port named `name` on the
 * uplink `bridge` of `device` (with `vlan` as its tag), or, without `bridge`, the PIF `device`
 * itself. A driver reads back what really holds: a static address or gateway gone from the
 * device reads as `none` / absent, so the planner writes it again.
 */
export interface HostInterface {
  name: string;
  purpose: 'management' | 'storage';
  device: string;
  bridge?: string;
  vlan?: number;
  ipv4: IpConfig;
  ipv6: IpConfig;
  dns?: string[];
  /**
   * Read back only: the `ip/prefix` addresses the device holds in the families left to DHCP
   * or SLAAC. The server's to choose, so never desired: the planner and the digest leave it out
   * (withoutLease), and a lease never reads as drift.
   */
  leased?: string[];
}

/** The interface as configured: what the planner compares and the digest hashes. */
export const withoutLease = ({ leased: _, ...iface }: HostInterface): HostInterface => iface;

export type HostDesiredState = HostSwitchState;
export type HostActualState = HostSwitchState;

export interface Uplink {
  device: string;
  bridge: string;
  bond?: { members: string[]; mode: BondMode };
}

export interface BridgeUplink {
  device: string;
  vlan?: number;
}

export interface Bridge {
  name: string;
  networkId: string;
  mtu: number;
  /** Present on external networks only; a private network's bridge never reaches a NIC. */
  uplink?: BridgeUplink;
  /** An overlay network's VXLAN ports, one per other host carrying it (absent: none). */
  tunnels?: TunnelPort[];
  /** GRE ports carrying mirror copies between hosts (absent: none). */
  mirrorTunnels?: MirrorTunnel[];
  ports: Port[];
  mirrors: Mirror[];
}

/**
 * A VXLAN port towards one other host. Tunnel ports are `protected` in Open vSwitch, so NORMAL
 * never forwards from one to another (split horizon): a frame from a remote host reaches only
 * this host's VMs, and a flood from a local VM goes out once on each tunnel.
 */
export interface TunnelPort {
  name: string;
  remoteHost: string;
  remoteIp: string;
  localIp: string;
  vni: number;
}

/**
 * A GRE port carrying one leg of a mirror between two hosts (model/mirror-legs.ts). On a source
 * host it is a mirror's output port (Open vSwitch then sends it nothing else and discards what
 * arrives on it); on the monitor's host it receives the copies and hands every one to
 * `deliverTo`, the monitor's port, and to nothing else.
 */
export interface MirrorTunnel {
  name: string;
  mirrorId: string;
  remoteHost: string;
  remoteIp: string;
  localIp: string;
  /** The GRE key, one per (mirror, source network): mirrorTunnelKey. */
  key: number;
  /** On the monitor's host only: the port the copies are delivered to. */
  deliverTo?: string;
}

export interface Port {
  name: string;
  vifId: string;
  vmId: string;
  mac: string;
  ipv4?: string;
  ipv6?: string;
  /** Further addresses (either family) and allowed address pairs: see port-security.ts. */
  extraIps?: string[];
  allowedPairs?: AddressPair[];
  qos?: VifQos;
  portSecurity: boolean;
  /** False while the port is pending: present for a migration but neither sending nor receiving. */
  forwarding: boolean;
  /**
   * During a migration the VM activates (libs/contracts portHosts): `armed`, a pending port the
   * VM's announcement opens; `watched`, a forwarding port that announcement from elsewhere
   * closes. The datapath does either by itself (handover-flows.ts for OVS).
   */
  handover?: PortHandover;
  /**
   * Read back only, on an armed or watched port: the VM's announcement has come, and when
   * (epoch ms, the switch's time): an armed port now forwards, a watched one no longer does.
   */
  announcedAt?: number;
  /** The rules of its network, of its VIF and of every group the VIF is in, highest first. */
  acls: AclRule[];
  /**
   * `deny` when its network or any of its groups denies by default: IP no rule admits and no
   * connection of its own carries is dropped both ways (absent: allowed).
   */
  aclDefault?: 'deny';
  /**
   * Read back only: the switch holds the port's ACL flows other than as they were written (some
   * lost, or foreign ones among them), so `acls` reads empty and they must all be replaced.
   */
  aclFlowsLost?: true;
  /**
   * Read back only: the port's device is absent (the hypervisor has not plugged it yet, or has
   * unplugged it). The host's records of the port hold what it applied; the flows that name
   * the port wait for the device, so they read back as none (see plan-ports.ts).
   */
  plugged?: false;
  /**
   * Read back only, on an unplugged port: it had a device that went away. What was written for
   * it (flows matching its OpenFlow port number, the switch's hold on the device) must go before
   * the next device comes, which is then secured as on a new port.
   */
  heldDevice?: true;
}

/**
 * Whether the port forwards in the datapath now: as the host wrote it, unless the VM's
 * announcement has since opened an armed port or closed a watched one (Port.handover).
 */
export const forwardsNow = (
  port: Pick<Port, 'forwarding' | 'handover' | 'announcedAt'>,
): boolean =>
  port.announcedAt === undefined || !port.handover ? port.forwarding : port.handover === 'armed';

/** A port needs the ACL pipeline (conntrack, rule tables) when it has rules or denies. */
export const hasAclPipeline = (port: Pick<Port, 'acls' | 'aclDefault'>): boolean =>
  port.acls.length > 0 || port.aclDefault === 'deny';

/**
 * The ports of a bridge that get flooded frames (broadcast, multicast) through their to-VM
 * ACLs rather than NORMAL's flood: forwarding ports with an ACL pipeline, sorted by name.
 */
export const floodedAclPorts = (bridge: Pick<Bridge, 'ports'> | undefined): string[] =>
  (bridge?.ports ?? [])
    .filter((port) => port.forwarding && hasAclPipeline(port))
    .map((port) => port.name)
    .sort();

/** A rule's match on one port, with its remote side resolved to addresses. */
export interface PortAclMatch {
  protocol: AclProtocol;
  /**
   * The CIDRs of the remote side (destination for ingress rules, source for egress rules).
   * Absent: any remote; empty: the rule matches nothing (an empty address set or group).
   */
  remotes?: string[];
  /** Destination port range (tcp/udp only), inclusive. */
  portFrom?: number;
  portTo?: number;
}

export interface AclRule {
  id: string;
  direction: Direction;
  priority: number;
  match: PortAclMatch;
  action: AclAction;
  /** OVN's allow-stateless: an allowed packet is not committed to conntrack (absent: stateful). */
  stateless?: boolean;
}

export interface Mirror {
  name: string;
  mirrorId: string;
  direction: MirrorDirection;
  sourcePorts: string[];
  /** The monitor's port, or on a source host of a cross-host mirror its GRE port (MirrorTunnel). */
  outputPort: string;
}

export const emptyState = (): HostSwitchState => ({ uplinks: [], bridges: [] });
