import type { OverlayHostView, OverlayUnderlayView } from './read-overlays.js';
import type { VifPolicyView, VifSwitchPortsView, VmVifView } from './read-vifs.js';
import type { MirrorStatus } from './mirror-status.js';

/*
 * The projection's read API (`/api`, README: the projection read API), defined once: the
 * projection's queries return these shapes, its OpenAPI models implement them, and the dashboard
 * and poolctl read them. Type-only: browser code imports them with `import type` (erased by tsc).
 * A field added here must be filled by the query, documented by the OpenAPI model (the compiler
 * says where), and reaches both readers. The VIF, overlay, address-set, security-group and mirror
 * status shapes live beside this file (read-vifs.ts, read-overlays.ts, read-security-groups.ts,
 * mirror-status.ts).
 */

/** A list answer: one page, and the cursor of the next one (`null` on the last page). */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** A pool with its size (`GET /api/pools`). */
export interface PoolSummaryView {
  id: string;
  name: string;
  /** The last pool event in the read models. */
  version: number;
  hosts: number;
  networks: number;
  vms: number;
  vifs: number;
}

/** `GET /api/pools/:pool`. */
export interface PoolView extends PoolSummaryView {
  updatedAt: string;
  migrationsActive: number;
}

/** `forwarding`: its host reports the port forwarding; `pending`: not yet; `down`: no host. */
export type PortState = 'forwarding' | 'pending' | 'down';

/** A port of the pool-as-one-switch (`/switch`): a VIF wherever it lives. */
export interface SwitchPortView extends VifPolicyView {
  vifId: string;
  vmId: string;
  vmName: string;
  mac: string;
  ips: string[];
  hostId: string | null;
  state: PortState;
}

/** Where an external network leaves a host. */
export interface UplinkView {
  hostId: string;
  device: string;
}

/** What a port does with IP traffic no rule decides (a network's, a security group's). */
export type AclDefault = 'allow' | 'deny';

export type NetworkKind = 'external' | 'private' | 'overlay';

/** `GET /api/pools/:pool/networks`. */
export interface NetworkView {
  id: string;
  name: string;
  kind: NetworkKind;
  /** The traffic it carries: `management`, `vm` or `storage`. */
  purpose: string;
  /** An external network's uplink device (null for another kind). */
  device: string | null;
  vlan: number | null;
  /** An overlay network's VXLAN network identifier (null for another kind). */
  vni: number | null;
  mtu: number;
  /** Its Open vSwitch bridge, the same name on every host (a domain XML's source bridge). */
  bridge: string;
  /** deny: its ports drop IP traffic no rule allows (replies to allowed traffic pass). */
  aclDefault: AclDefault;
  uplinks: UplinkView[];
  /**
   * An overlay network's underlay on each host with a tunnel endpoint: its MTU, VXLAN's
   * overhead and the headroom left above this network's MTU (null for another kind).
   */
  underlay: OverlayUnderlayView[] | null;
}

/** A network of the pool-as-one-switch, with every port on it. */
export interface SwitchNetworkView extends Omit<NetworkView, 'device'> {
  ports: SwitchPortView[];
  /** Overlay networks only (empty for another kind): each host of the mesh and its tunnels. */
  tunnels: OverlayHostView[];
}

/** `GET /api/pools/:pool/switch`: the pool as one switch. */
export interface SwitchView {
  pool: string;
  version: number;
  networks: SwitchNetworkView[];
}

/** `address` is canonical `ip/prefix` (10.0.0.5/24). */
export type HostInterfaceIpView =
  | { mode: 'none' | 'dhcp' | 'autoconf' }
  | { mode: 'static'; address: string; gateway: string | null };

/**
 * An IP interface of the host itself as configured (ConfigureHostInterface): the domain's
 * HostInterface, which the query assigns to it (so the compiler checks that it fits).
 */
export interface HostInterfaceView {
  name: string;
  purpose: 'management' | 'storage';
  device: string;
  vlan: number | null;
  placement: 'internal' | 'pif';
  ipv4: HostInterfaceIpView;
  ipv6: HostInterfaceIpView;
  dns: string[];
}

/** Set while a host holds an earlier version after its network watchdog rolled a change back. */
export interface HostHeldView {
  version: number;
  refusedVersion: number;
  reason: string;
  since: string;
}

/** `GET /api/pools/:pool/hosts`: a host with its convergence. */
export interface HostView {
  id: string;
  name: string;
  /** The address the host joined with. */
  address: string;
  enabled: boolean;
  /** The management PIF's device. */
  management: string | null;
  /** Where the host's overlay tunnels start and end (null: it declared none). */
  tunnel: { device: string; address: string } | null;
  /** Its management and storage interfaces as configured (ConfigureHostInterface). */
  interfaces: HostInterfaceView[];
  appliedVersion: number | null;
  /** The pool's head version minus the version the host applied. */
  lagEvents: number | null;
  /** The age of the oldest event the host has not applied. */
  lagSeconds: number | null;
  lastReportAt: string | null;
  digest: string | null;
  /** Drift items the host reported, in total. */
  drift: number;
  held: HostHeldView | null;
  runningVms: number;
}

export type PifRole = 'management' | 'vm' | 'storage' | 'tunnel' | 'unused';

/** A physical NIC with its configured role and the traffic it actually carries. */
export interface PifView {
  /** `<host>/<device>`. */
  id: string;
  device: string;
  mac: string;
  mtu: number;
  speedMbps: number;
  carrier: boolean;
  role: PifRole;
  /** Traffic types on the NIC: its role plus the purposes of networks uplinked through it. */
  roles: string[];
  bondId: string | null;
}

export interface BondView {
  id: string;
  device: string;
  members: string[];
  mode: 'active-backup' | 'balance-slb' | 'lacp';
}

/** A VIF port as the host last reported it. */
export interface HostPortView {
  vifId: string;
  ready: boolean;
  forwarding: boolean;
  /** false while the port's device is absent (the hypervisor has not plugged the NIC). */
  plugged: boolean;
}

/** `GET /api/pools/:pool/hosts/:host`. */
export interface HostDetailView extends HostView {
  pifs: PifView[];
  bonds: BondView[];
  ports: HostPortView[];
}

/** A migration's phase; `aborted` ends it as `completed` does. */
export type MigrationStatus = 'requested' | 'prepared' | 'activated' | 'completed' | 'aborted';

/** A VM's migration while it is under way. */
export interface VmMigrationView {
  id: string;
  status: MigrationStatus;
  toHostId: string;
}

/** `GET /api/pools/:pool/vms`. */
export interface VmView {
  id: string;
  name: string;
  powerState: 'halted' | 'running';
  hostId: string | null;
  vifs: VmVifView[];
  migration: VmMigrationView | null;
}

/** `GET /api/pools/:pool/addresses`: an address with the port its traffic goes through. */
export interface AddressView extends VifSwitchPortsView {
  mac: string;
  ip: string | null;
  networkId: string;
  vifId: string;
  vmId: string;
  hostId: string | null;
  state: PortState;
}

/** `GET /api/pools/:pool/migrations`. */
export interface MigrationView {
  id: string;
  vmId: string;
  fromHostId: string;
  toHostId: string;
  status: MigrationStatus;
  requestedAt: string;
  updatedAt: string;
  reason: string | null;
  versions: MigrationVersionsView;
}

/** The version of each step of a migration (null: not reached). */
export interface MigrationVersionsView {
  requested: number;
  prepared: number | null;
  activated: number | null;
  completed: number | null;
  aborted: number | null;
}

/** What an ACL rule or a mirror applies to. */
export type ScopeView =
  | { kind: 'network'; networkId: string }
  | { kind: 'vif'; vifId: string }
  | { kind: 'group'; groupId: string };

/** The remote side is at most one of cidr, addressSetId and remoteGroupId; none: any address. */
export interface AclMatchView {
  protocol: string;
  cidr: string | null;
  addressSetId: string | null;
  remoteGroupId: string | null;
  portFrom: number | null;
  portTo: number | null;
}

export interface HostRuleHitsView {
  hostId: string;
  packets: number;
  bytes: number;
  updatedAt: string;
}

/** What a rule passed or dropped, as hosts last reported it: in total and per host. */
export interface RuleHitsView {
  packets: number;
  bytes: number;
  hosts: HostRuleHitsView[];
}

/** `GET /api/pools/:pool/acls`. */
export interface AclRuleView {
  id: string;
  scope: ScopeView;
  /** from-vm: what the VM sends; to-vm: what is delivered to it. */
  direction: 'from-vm' | 'to-vm';
  priority: number;
  match: AclMatchView;
  action: 'allow' | 'drop';
  /** Allowed packets are not tracked: their replies need a rule of their own. */
  stateless: boolean;
  hits: RuleHitsView;
}

/** `GET /api/pools/:pool/mirrors`. */
export interface MirrorView {
  id: string;
  source: ScopeView;
  direction: 'ingress' | 'egress' | 'both';
  destinationVifId: string;
  /** Realised now or not, and why not. */
  status: MirrorStatus;
}

/** `GET /api/pools/:pool/counters`: one port's counters as its host last reported them. */
export interface CounterView {
  hostId: string;
  /** The datapath port name the host reported (`pnv-…`). */
  port: string;
  /** The VIF behind the port, when the port is one of the pool's VIFs. */
  vifId: string | null;
  rxPackets: number;
  txPackets: number;
  rxBytes: number;
  txBytes: number;
  updatedAt: string;
}

/** `GET /api/pools/:pool/advice`: a NIC where several traffic types share one NIC. */
export interface AdviceView {
  hostId: string;
  hostName: string;
  device: string;
  traffic: string[];
  /** `eth0 carries management and vm traffic: dedicate a NIC …` */
  message: string;
}

/** `event: change` on a pool's stream (`/api/pools/:pool/stream`). */
export interface ChangeEventView {
  pool: string;
  version: number;
  kinds: string[];
}

/** `event: host` on a pool's stream: a host report arrived. */
export interface HostEventView {
  pool: string;
  hostId: string;
  appliedVersion: number;
  lagEvents: number;
}
