/* The shapes the read API answers with (README: the projection read API). */

import type {
  MirrorStatusProblem,
  OverlayHostView,
  OverlayUnderlayView,
  VifPolicyView,
  VifSwitchPortsView,
  VmVifView,
} from '@pool/contracts';
import type { HostInterface } from '@pool/domain';

export type {
  AddressSetView,
  OverlayHostView,
  OverlayUnderlayView,
  SecurityGroupView,
} from '@pool/contracts';

export interface PoolSummaryView {
  id: string;
  name: string;
  version: number;
  hosts: number;
  networks: number;
  vms: number;
  vifs: number;
}

export interface PoolView extends PoolSummaryView {
  updatedAt: string;
  migrationsActive: number;
}

export type PortState = 'forwarding' | 'pending' | 'down';

export interface SwitchPortView extends VifPolicyView {
  vifId: string;
  vmId: string;
  vmName: string;
  mac: string;
  ips: string[];
  hostId: string | null;
  state: PortState;
}

export interface UplinkView {
  hostId: string;
  device: string;
}

/** What a port does with IP traffic no rule decides (a network's, a security group's). */
export type AclDefault = 'allow' | 'deny';

export interface NetworkView {
  id: string;
  name: string;
  kind: 'external' | 'private' | 'overlay';
  purpose: string;
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

export interface SwitchView {
  pool: string;
  version: number;
  networks: (Omit<NetworkView, 'purpose' | 'device'> & {
    ports: SwitchPortView[];
    /** Overlay networks only (empty for another kind): each host of the mesh and its tunnels. */
    tunnels: OverlayHostView[];
  })[];
}

export interface HostView {
  id: string;
  name: string;
  address: string;
  enabled: boolean;
  management: string | null;
  /** Where the host's overlay tunnels start and end (null: it declared none). */
  tunnel: { device: string; address: string } | null;
  /** Its management and storage interfaces as configured (ConfigureHostInterface). */
  interfaces: HostInterface[];
  appliedVersion: number | null;
  lagEvents: number | null;
  lagSeconds: number | null;
  lastReportAt: string | null;
  digest: string | null;
  drift: number;
  /** Set while the host holds an earlier version after its network watchdog rolled back. */
  held: HostHeldView | null;
  runningVms: number;
}

export interface HostHeldView {
  version: number;
  refusedVersion: number;
  reason: string;
  since: string;
}

export interface HostDetailView extends HostView {
  pifs: {
    id: string;
    device: string;
    mac: string;
    mtu: number;
    speedMbps: number;
    carrier: boolean;
    role: string;
    roles: string[];
    bondId: string | null;
  }[];
  bonds: { id: string; device: string; members: string[]; mode: string }[];
  ports: { vifId: string; ready: boolean; forwarding: boolean; plugged: boolean }[];
}

export interface VmView {
  id: string;
  name: string;
  powerState: 'halted' | 'running';
  hostId: string | null;
  vifs: VmVifView[];
  migration: { id: string; status: string; toHostId: string } | null;
}

/** An address with the port its traffic goes through (on each host the log places it). */
export interface AddressView extends VifSwitchPortsView {
  mac: string;
  ip: string | null;
  networkId: string;
  vifId: string;
  vmId: string;
  hostId: string | null;
  state: PortState;
}

export interface MigrationView {
  id: string;
  vmId: string;
  fromHostId: string;
  toHostId: string;
  status: string;
  requestedAt: string;
  updatedAt: string;
  reason: string | null;
  versions: {
    requested: number;
    prepared: number | null;
    activated: number | null;
    completed: number | null;
    aborted: number | null;
  };
}

export type ScopeView =
  | { kind: 'network'; networkId: string }
  | { kind: 'vif'; vifId: string }
  | { kind: 'group'; groupId: string };

export interface AclRuleView {
  id: string;
  scope: ScopeView;
  direction: string;
  priority: number;
  /** The remote side is at most one of cidr, addressSetId, remoteGroupId; none: any address. */
  match: {
    protocol: string;
    cidr: string | null;
    addressSetId: string | null;
    remoteGroupId: string | null;
    portFrom: number | null;
    portTo: number | null;
  };
  action: string;
  /** Allowed packets are not tracked: their replies need a rule of their own. */
  stateless: boolean;
  /** What the rule passed or dropped, as hosts last reported it: in total and per host. */
  hits: RuleHitsView;
}

export interface RuleHitsView {
  packets: number;
  bytes: number;
  hosts: { hostId: string; packets: number; bytes: number; updatedAt: string }[];
}

export interface MirrorView {
  id: string;
  source: ScopeView;
  direction: string;
  destinationVifId: string;
  /** Realised now or not, and why not (libs/contracts MirrorStatus). */
  status: MirrorStatusView;
}

export interface MirrorStatusView {
  state: string;
  monitorHost: string | null;
  problems: MirrorStatusProblem[];
}

export interface CounterView {
  hostId: string;
  /** The datapath port name the host reported. */
  port: string;
  /** The VIF behind the port, when the port is one of the pool's VIFs. */
  vifId: string | null;
  rxPackets: number;
  txPackets: number;
  rxBytes: number;
  txBytes: number;
  updatedAt: string;
}

export interface AdviceView {
  hostId: string;
  hostName: string;
  device: string;
  traffic: string[];
  message: string;
}
