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

/** Where a host's overlay tunnels start and end: an address it holds on `device`. */
export interface TunnelEndpoint {
  device: string;
  address: string;
}

export interface TopologyHost {
  id: string;
  name: string;
  state: HostState;
  pifs: TopologyPif[];
  bonds: TopologyBond[];
  /** Absent until the host declares one; overlay networks need it. */
  tunnel?: TunnelEndpoint;
  /** The host's own IP interfaces (management, storage); absent: none configured. */
  interfaces?: TopologyHostInterface[];
}

/** `static`: `address` is `ip/prefix`; `gateway` a default route through it. */
export type IpConfig =
  { mode: 'none' | 'dhcp' | 'autoconf' } | { mode: 'static'; address: string; gateway?: string };

/**
 * An IP interface of the host itself: on `device` (a PIF or bond), tagged `vlan` or not; the
 * address on an internal port of the device's uplink bridge (`internal`) or on the untagged PIF
 * itself (`pif`).
 */
export interface TopologyHostInterface {
  name: string;
  purpose: 'management' | 'storage';
  device: string;
  vlan?: number;
  placement: 'internal' | 'pif';
  ipv4: IpConfig;
  ipv6: IpConfig;
  dns?: string[];
}

/** `overlay`: carried between hosts over VXLAN tunnels tagged `vni`. */
export type NetworkKind =
  | { type: 'external'; device: string; vlan?: number }
  | { type: 'private' }
  | { type: 'overlay'; vni: number };

/** What a port does with IP traffic no rule admits: `deny` drops it (security groups' default). */
export type AclDefaultPolicy = 'allow' | 'deny';

export interface TopologyNetwork {
  id: string;
  name: string;
  kind: NetworkKind;
  mtu: number;
  /** `deny`: every port on the network drops what no rule admits (absent: allow). */
  aclDefault?: 'deny';
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
export type Scope = { networkId: string } | { vifId: string } | { groupId: string };

/**
 * The remote side of a rule (the destination for ingress rules, the source for egress rules) is
 * at most one of `cidr`, `addressSetId` and `remoteGroupId`; none: any remote.
 */
export interface AclMatch {
  protocol: AclProtocol;
  cidr?: string;
  /** Every CIDR of the address set. */
  addressSetId?: string;
  /** Every address of every VIF in the security group, pool-wide. */
  remoteGroupId?: string;
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
  /** Who activates it (absent: the coordinator): see portHosts in libs/contracts. */
  activation?: 'vm' | 'coordinator';
}

/** A named list of CIDRs rules take as their remote side; it may be empty. */
export interface TopologyAddressSet {
  id: string;
  cidrs: string[];
}

/**
 * VIFs anywhere in the pool that share rules (scope `{groupId}`), may be a rule's remote side,
 * and give their ports a default policy (`deny`, as security groups do, unless set to allow).
 */
export interface TopologySecurityGroup {
  id: string;
  defaultPolicy: AclDefaultPolicy;
  vifIds: string[];
}

export interface PoolTopology {
  hosts: TopologyHost[];
  networks: TopologyNetwork[];
  vms: TopologyVm[];
  vifs: TopologyVif[];
  acls: TopologyAcl[];
  mirrors: TopologyMirror[];
  migrations: TopologyMigration[];
  addressSets: TopologyAddressSet[];
  securityGroups: TopologySecurityGroup[];
  /**
   * Per overlay network, the other hosts that carry it (`overlayCarriers`), as a member host's
   * own derivation found them in the pool: then its topology needs no other host's VMs and
   * VIFs to build its tunnels, and an unchanged mesh can come as the same array from one event
   * to the next. Absent: derived from `hosts`, `vms`, `vifs` and `migrations`.
   */
  overlayRemotes?: ReadonlyMap<string, readonly TopologyHost[]>;
}
