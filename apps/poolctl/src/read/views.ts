import type {
  AddressSetView,
  MirrorStatus,
  OverlayUnderlayView,
  SecurityGroupView,
  VmVifView,
} from '@pool/contracts';

export type { AddressSetView, SecurityGroupView };

/*
 * What the read verbs show: the shapes of the projection's read API (apps/projection, `/api`),
 * which the log fallback (log-views.ts) produces too, so `--output json` has one shape
 * whichever side answered. Fields a side cannot know are null.
 */

export interface PoolSummary {
  id: string;
  name: string;
  version: number;
  hosts: number;
  networks: number;
  vms: number;
  vifs: number;
}

export interface PoolView extends PoolSummary {
  updatedAt: string | null;
  migrationsActive: number;
}

export interface HostView {
  id: string;
  name: string;
  address?: string;
  enabled: boolean;
  management: string | null;
  appliedVersion: number | null;
  lagEvents: number | null;
  lagSeconds: number | null;
  lastReportAt: string | null;
  digest: string | null;
  /** The log cannot know it: null there. */
  drift: number | null;
  /** Held at an earlier version after a network rollback (the projection only). */
  held?: { version: number; refusedVersion: number; reason: string; since: string } | null;
  runningVms: number;
}

export interface PifView {
  id: string;
  device: string;
  mac: string;
  mtu: number;
  speedMbps?: number;
  carrier?: boolean;
  roles: string[];
  bondId: string | null;
}

export interface BondView {
  id: string;
  hostId?: string;
  device: string;
  members: string[];
  mode: string;
}

export interface HostDetail extends HostView {
  pifs: PifView[];
  bonds: BondView[];
  ports: { vifId: string; ready: boolean; forwarding: boolean }[];
}

export interface NetworkView {
  id: string;
  name: string;
  kind: 'external' | 'private' | 'overlay';
  purpose?: string;
  vlan: number | null;
  mtu: number;
  /** Its Open vSwitch bridge on every host; a projection older than it omits it. */
  bridge?: string;
  /** The uplink device of an external network. */
  device?: string | null;
  uplinks?: { hostId: string; device: string }[];
  /** What its ports do with IP no rule allows; a projection older than it omits it (allow). */
  aclDefault?: 'allow' | 'deny';
  /** An overlay network's VNI; a projection older than overlays omits it. */
  vni?: number | null;
  /** An overlay's underlay per host with a tunnel endpoint (null: another kind). */
  underlay?: OverlayUnderlayView[] | null;
}

/** QoS and port security are always there; a projection older than them omits both. */
export type VifView = VmVifView;

export interface VmView {
  id: string;
  name: string;
  powerState: string;
  hostId: string | null;
  vifs: VifView[];
  migration: { id: string; status: string; toHostId: string } | null;
}

export type ScopeView =
  | { kind: 'network'; networkId: string }
  | { kind: 'vif'; vifId: string }
  | { kind: 'group'; groupId: string };

export interface AclView {
  id: string;
  scope: ScopeView;
  direction: string;
  priority: number;
  /** The remote side is at most one of cidr, addressSetId and remoteGroupId (older: cidr only). */
  match: {
    protocol: string;
    cidr: string | null;
    addressSetId?: string | null;
    remoteGroupId?: string | null;
    portFrom: number | null;
    portTo: number | null;
  };
  action: string;
  stateless?: boolean;
  /**
   * What the rule passed or dropped, summed over hosts and per host, as they last reported it.
   * Only the projection knows it: absent when read from the event log.
   */
  hits?: {
    packets: number;
    bytes: number;
    hosts: { hostId: string; packets: number; bytes: number; updatedAt: string }[];
  };
}

export interface MirrorView {
  id: string;
  source: ScopeView;
  direction: string;
  destinationVifId: string;
  /** Whether it copies now, where the copies arrive, and why not (never silently absent). */
  status: MirrorStatus;
}

export interface VmFilter {
  host?: string;
  powerState?: string;
}

/** Where the read verbs get their answers: the projection, or the master's log replayed. */
export interface ReadSource {
  pools(): Promise<PoolSummary[]>;
  pool(pool: string): Promise<PoolView>;
  hosts(pool: string, filter?: { enabled?: boolean }): Promise<HostView[]>;
  host(pool: string, host: string): Promise<HostDetail>;
  networks(pool: string): Promise<NetworkView[]>;
  network(pool: string, network: string): Promise<NetworkView>;
  vms(pool: string, filter?: VmFilter): Promise<VmView[]>;
  vm(pool: string, vm: string): Promise<VmView>;
  acls(pool: string): Promise<AclView[]>;
  mirrors(pool: string): Promise<MirrorView[]>;
  addressSets(pool: string): Promise<AddressSetView[]>;
  securityGroups(pool: string): Promise<SecurityGroupView[]>;
}
