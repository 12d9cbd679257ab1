/** The objects of DESIGN §1, as the pool decider keeps them. Ids are strings from the caller. */

/** `tunnel`: the PIF carries the host's underlay for overlay networks (see TunnelEndpoint). */
export const PIF_ROLES = ['management', 'vm', 'storage', 'tunnel', 'unused'] as const;
export type PifRole = (typeof PIF_ROLES)[number];

export const BOND_MODES = ['active-backup', 'balance-slb', 'lacp'] as const;
export type BondMode = (typeof BOND_MODES)[number];

export const NETWORK_PURPOSES = ['management', 'vm', 'storage'] as const;
export type NetworkPurpose = (typeof NETWORK_PURPOSES)[number];

/**
 * A rule's direction, named from the VM's side: `from-vm` is what the VM sends, `to-vm` what is
 * delivered to it (OVN's from-lport / to-lport). `ingress` and `egress` are not used: Neutron
 * reads them from the VM (ingress = into the VM), while poolnet's first API read them from the
 * switch (ingress = from the VM), so the same word meant opposite things.
 */
export const ACL_DIRECTIONS = ['from-vm', 'to-vm'] as const;
export type AclDirection = (typeof ACL_DIRECTIONS)[number];

/**
 * The words rules used before (AclRuleCreated v1–v3), and what each meant: a request that still
 * writes one is refused with ACL_DIRECTION_RENAMED and the mapping, never guessed at.
 */
export const RENAMED_ACL_DIRECTIONS = { ingress: 'from-vm', egress: 'to-vm' } as const;
export type RenamedAclDirection = keyof typeof RENAMED_ACL_DIRECTIONS;

export const isRenamedAclDirection = (value: unknown): value is RenamedAclDirection =>
  typeof value === 'string' && Object.hasOwn(RENAMED_ACL_DIRECTIONS, value);

/** The sentence that refuses an old word, the same from every transport and from poolctl. */
export const renamedAclDirectionMessage = (word: RenamedAclDirection): string => {
  const use = RENAMED_ACL_DIRECTIONS[word];
  const [way, neutron] = use === 'from-vm' ? ['from', 'to-vm'] : ['to', 'from-vm'];
  return `direction '${word}' meant traffic ${way} the VM: write '${use}' (Neutron's ${word} is '${neutron}')`;
};

/** What a CreateAclRule may name: the old words are known, so that they are refused by name. */
export const ACL_REQUESTED_DIRECTIONS = [...ACL_DIRECTIONS, 'ingress', 'egress'] as const;
export type AclRequestedDirection = (typeof ACL_REQUESTED_DIRECTIONS)[number];

export const ACL_PROTOCOLS = ['any', 'tcp', 'udp', 'icmp'] as const;
export type AclProtocol = (typeof ACL_PROTOCOLS)[number];

/** What a rule does with a matching packet. */
export const ACL_ACTIONS = ['allow', 'drop'] as const;
export type AclAction = (typeof ACL_ACTIONS)[number];

/**
 * What a CreateAclRule may name: `reject` is still a word a request may use, so that it is
 * refused with ACL_REJECT_UNSUPPORTED (and its reason) rather than as an unknown value. No
 * datapath here can answer with a TCP reset or ICMP unreachable (that needs a controller to
 * build the packet); rules stored as `reject` before read as `drop` (pool.upcasters.ts).
 */
export const ACL_REQUESTED_ACTIONS = [...ACL_ACTIONS, 'reject'] as const;
export type AclRequestedAction = (typeof ACL_REQUESTED_ACTIONS)[number];

/**
 * What a port does with IP traffic no rule decides: `allow` (as ports always did) or `deny`,
 * as security groups do (only what an allow rule admits passes, besides replies).
 */
export const ACL_DEFAULT_POLICIES = ['allow', 'deny'] as const;
export type AclDefaultPolicy = (typeof ACL_DEFAULT_POLICIES)[number];

export const MIRROR_DIRECTIONS = ['ingress', 'egress', 'both'] as const;
export type MirrorDirection = (typeof MIRROR_DIRECTIONS)[number];

/** A physical NIC as a member host reports it when joining. */
export interface PifInventory {
  device: string;
  mac: string;
  mtu: number;
  speedMbps: number;
  carrier: boolean;
}

export interface Pif extends PifInventory {
  role: PifRole;
}

/**
 * Where a host's overlay tunnels start and end: a PIF (role management, storage or tunnel) and
 * the underlay address the host holds on it. The address is the host's to configure (as a
 * management address is); the pool only records it, so every host derives the same mesh.
 */
export interface TunnelEndpoint {
  device: string;
  /** Canonical IPv4 or IPv6 text, unique in the pool. */
  address: string;
}

/** PIF roles a tunnel endpoint may sit on: never a VM uplink or an unused NIC. */
export const TUNNEL_PIF_ROLES = ['management', 'storage', 'tunnel'] as const;

/**
 * VXLAN (RFC 7348) carries overlay frames: what it adds to each one, counted against the
 * underlay's MTU (which counts the IP packet): the inner Ethernet header 14, VXLAN 8, UDP 8,
 * and the outer IP header, 20 over IPv4 or 40 over IPv6. The outer Ethernet header is not part
 * of the underlay MTU.
 */
export const VXLAN_OVERHEAD = { ipv4: 50, ipv6: 70 } as const;

/** VNIs are 24 bits; 0 is left unused (some switches treat it as "no VNI"). */
export const VNI_MAX = 0xffffff;

export interface Host {
  id: string;
  name: string;
  address: string;
  /** `null` until the host declares one (SetTunnelEndpoint). */
  tunnel: TunnelEndpoint | null;
  /** Its management and storage interfaces (ConfigureHostInterface), sorted by name. */
  interfaces: HostInterface[];
  /** Ejected hosts leave the state; their history stays in the log. */
  state: 'enabled' | 'disabled';
  joinedAt: string;
  pifs: Map<string, Pif>;
  /**
   * Set by ResetHostNetworking: this management NIC carries nothing but management on this
   * host (no network is uplinked on it). Absent otherwise, so older snapshots read the same.
   */
  managementOnly?: string;
}

/** What an interface of the host itself carries: at most one `management` per host. */
export const HOST_INTERFACE_PURPOSES = ['management', 'storage'] as const;
export type HostInterfacePurpose = (typeof HOST_INTERFACE_PURPOSES)[number];

/**
 * Where the address lives: `internal`, an Open vSwitch internal port on the uplink bridge of
 * `device` (tagged with the VLAN, if any), so networks on the same NIC share it, as XAPI keeps
 * its management address on the bridge; `pif`, the untagged PIF itself, which then must stay
 * out of every bridge (the guard in host-interfaces.decide.ts refuses changes that bridge it).
 */
export const HOST_INTERFACE_PLACEMENTS = ['internal', 'pif'] as const;
export type HostInterfacePlacement = (typeof HOST_INTERFACE_PLACEMENTS)[number];

/** `address` is canonical `ip/prefix` with the host's own bits (10.0.0.5/24). */
export type Ipv4Config =
  { mode: 'none' } | { mode: 'dhcp' } | { mode: 'static'; address: string; gateway: string | null };

/** `autoconf`: SLAAC from router advertisements. */
export type Ipv6Config =
  | { mode: 'none' }
  | { mode: 'dhcp' }
  | { mode: 'autoconf' }
  | { mode: 'static'; address: string; gateway: string | null };

/** resolv.conf reads three name servers at most. */
export const HOST_INTERFACE_MAX_DNS = 3;

/**
 * An IP interface of the host itself (XAPI's PIF IP configuration, `PIF.reconfigure_ip`):
 * where it sits (a PIF or bond `device`, with an optional VLAN) and its addresses. Gateways and
 * DNS servers belong to management only.
 */
export interface HostInterface {
  /** The Linux name of the interface the host creates (or the PIF's, with `pif`). */
  name: string;
  purpose: HostInterfacePurpose;
  device: string;
  vlan: number | null;
  placement: HostInterfacePlacement;
  ipv4: Ipv4Config;
  ipv6: Ipv6Config;
  dns: string[];
}

export interface Bond {
  id: string;
  hostId: string;
  device: string;
  members: string[];
  mode: BondMode;
}

/**
 * Where a network leaves the host: the PIF or bond named `device`, tagged with `vlan` or not;
 * nowhere (`private`: host-local); or over VXLAN tunnels between the hosts that carry it
 * (`overlay`), its frames tagged with `vni`, which the pool allocates and never reuses.
 */
export type NetworkUplink =
  | { kind: 'external'; device: string; vlan: number | null }
  | { kind: 'private' }
  | { kind: 'overlay'; vni: number };

export type Network = {
  id: string;
  name: string;
  purpose: NetworkPurpose;
  mtu: number;
  /** The default policy of its ports; `allow` for every network until set otherwise. */
  aclDefault: AclDefaultPolicy;
} & NetworkUplink;

export interface Vm {
  id: string;
  name: string;
  powerState: 'halted' | 'running';
  /** Set while running; the source host during a migration, the target once it completes. */
  residentHostId: string | null;
}

/** Rates in kbit/s, bursts in kbit; 0 means unlimited. */
export interface Qos {
  ingressKbps: number;
  ingressBurstKb: number;
  egressKbps: number;
  egressBurstKb: number;
}

export interface Vif {
  id: string;
  vmId: string;
  device: number;
  networkId: string;
  /** Normalised: lowercase, colon separated. */
  mac: string;
  ipv4: string | null;
  /** Canonical RFC 5952 text. */
  ipv6: string | null;
  /**
   * Further addresses of the VIF, either family, canonical and sorted: its own like `ipv4` and
   * `ipv6`, so unique on the network with them.
   */
  extraIps: string[];
  /** Addresses it may also send from without owning them (VIPs): not unique, see AddressPair. */
  allowedPairs: AddressPair[];
  qos: Qos | null;
  portSecurity: boolean;
}

/**
 * Per VIF, so its port-security flows stay few: a neighbour advertisement is admitted per
 * (source, target) pair of its IPv6 addresses.
 */
export const VIF_MAX_EXTRA_IPS = 8;
export const VIF_MAX_ADDRESS_PAIRS = 8;

/**
 * A virtual IP the VIF may send from besides its own addresses, with the MAC it is sent from
 * (`null`: the VIF's own), as Neutron's allowed address pairs. Not unique: a VIP is shared by
 * design among the VIFs of a VRRP/keepalived group, any of which may hold it at a time, so the
 * pool cannot make it one VIF's. It grants sending only; port security still binds it to the
 * pair's MAC.
 */
export interface AddressPair {
  ip: string;
  mac: string | null;
}

/** What an ACL rule applies to, or what a mirror watches: a group means each of its members. */
export type Scope =
  | { kind: 'network'; networkId: string }
  | { kind: 'vif'; vifId: string }
  | { kind: 'group'; groupId: string };

/**
 * The remote side is at most one of `cidr`, `addressSetId` and `remoteGroupId`; all `null`
 * matches every address.
 */
export interface AclMatch {
  protocol: AclProtocol;
  /** Canonical `address/prefix`, host bits zero. */
  cidr: string | null;
  /** The addresses of this address set, as it holds them at the time. */
  addressSetId: string | null;
  /** Every address of every member VIF of this security group, wherever it runs. */
  remoteGroupId: string | null;
  /** Both set (tcp/udp only) or both `null` (every port). */
  portFrom: number | null;
  portTo: number | null;
}

export interface AclRule {
  id: string;
  scope: Scope;
  direction: AclDirection;
  priority: number;
  match: AclMatch;
  action: AclAction;
  /** OVN's allow-stateless: allowed packets are not tracked, so replies need their own rule. */
  stateless: boolean;
}

export interface Mirror {
  id: string;
  source: Scope;
  direction: MirrorDirection;
  destinationVifId: string;
}

export type MigrationStatus = 'requested' | 'prepared' | 'activated';

/** Who activates a migration (DESIGN §5): the coordinator, or the VM's own announcement. */
export type MigrationActivation = 'vm' | 'coordinator';

/** Only active migrations are kept; a completed or aborted one leaves the state. */
export interface Migration {
  id: string;
  vmId: string;
  fromHostId: string;
  toHostId: string;
  status: MigrationStatus;
  requestedAt: string;
  /** From `prepared` on (absent before: not chosen yet). */
  activation?: MigrationActivation;
}

/** So one set stays a bounded number of flows per port that names it. */
export const ADDRESS_SET_MAX_ENTRIES = 256;

/**
 * A named list of prefixes a rule may take as its remote side. Canonical CIDRs (a bare address
 * as /32 or /128), unique, IPv4 before IPv6, each in numeric order; may be empty (matches
 * nothing). No IPv4-mapped or IPv4-compatible IPv6 prefixes.
 */
export interface AddressSet {
  id: string;
  name: string;
  cidrs: string[];
}

/**
 * VIFs under one policy: the rules scoped to the group apply to each member, and a rule may
 * name the group as its remote side (its members' addresses). `vifIds` sorted.
 */
export interface SecurityGroup {
  id: string;
  name: string;
  defaultPolicy: AclDefaultPolicy;
  vifIds: string[];
}
