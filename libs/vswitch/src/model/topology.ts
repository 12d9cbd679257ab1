/**
 * The input of the vSwitch model: the pool's network configuration as plain data.
 *
 * libs/vswitch imports nothing from other libs, so it owns this shape; the member host maps its
 * replayed domain state onto it. Every field is JSON-safe.
 */

export type HostState = 'enabled' | 'disabled' | 'ejected';
export type BondMode = 'active-backup' | 'balance-slb' | 'lacp';

export interface TopologyPif {
  device: string;
  mac: string;
  mtu: number;
}

export interface TopologyBond {
  device: string;
  members: string[];
  mode: BondMode;
}

export interface TopologyHost {
  id: string;
  name: string;
  state: HostState;
  pifs: TopologyPif[];
  bonds: TopologyBond[];
}

export type NetworkKind = { type: 'external'; device: string; vlan?: number } | { type: 'private' };

export interface TopologyNetwork {
  id: string;
  name: string;
  kind: NetworkKind;
  mtu: number;
}

export interface TopologyVm {
  id: string;
  name: string;
  powerState: 'halted' | 'running';
  residentHost?: string;
}

/**
 * Rates in kilobits per second, bursts in kilobits (Open vSwitch's units). `ingress` is traffic
 * the VM sends into the switch (policed), `egress` is traffic the switch sends to the VM (shaped).
 * A rate of 0 means "no limit" in that direction.
 */
export interface VifQos {
  ingressKbps: number;
  ingressBurstKb: number;
  egressKbps: number;
  egressBurstKb: number;
}

export interface TopologyVif {
  id: string;
  vmId: string;
  device: number;
  networkId: string;
  mac: string;
  ipv4?: string;
  ipv6?: string;
  /** Further addresses of the VIF (either family) besides `ipv4` and `ipv6`. */
  extraIps?: string[];
  /** Addresses the VIF may also send from, not its own: VIPs shared with other VIFs. */
  allowedPairs?: AddressPair[];
  qos?: VifQos;
  portSecurity: boolean;
}

/**
 * A further address a VM may send from besides its own, for a virtual IP it shares with other
 * VMs (VRRP, keepalived): the VIP, and the MAC it is sent from when that is not the VIF's own
 * (keepalived's `use_vmac`). Neutron's allowed address pair, without CIDRs.
 */
export interface AddressPair {
  ip: string;
  mac?: string;
}

/** `ingress`: from the VM into the switch; `egress`: from the switch to the VM. */
export type Direction = 'ingress' | 'egress';
export type AclProtocol = 'any' | 'tcp' | 'udp' | 'icmp';
export type AclAction = 'allow' | 'drop';
export type Scope = { networkId: string } | { vifId: string };

export interface AclMatch {
  protocol: AclProtocol;
  /** The remote side: destination for ingress rules, source for egress rules. */
  cidr?: string;
  /** Destination port range (tcp/udp only), inclusive. */
  portFrom?: number;
  portTo?: number;
}

export interface TopologyAcl {
  id: string;
  scope: Scope;
  direction: Direction;
  priority: number;
  match: AclMatch;
  action: AclAction;
  stateless?: boolean;
}

export type MirrorDirection = Direction | 'both';

export interface TopologyMirror {
  id: string;
  source: Scope;
  direction: MirrorDirection;
  destinationVifId: string;
}

export type MigrationPhase = 'requested' | 'prepared' | 'activated';

export interface TopologyMigration {
  vmId: string;
  fromHost: string;
  toHost: string;
  phase: MigrationPhase;
}

export interface PoolTopology {
  hosts: TopologyHost[];
  networks: TopologyNetwork[];
  vms: TopologyVm[];
  vifs: TopologyVif[];
  acls: TopologyAcl[];
  mirrors: TopologyMirror[];
  migrations: TopologyMigration[];
}
