/**
 * The projection read API as the dashboard reads it (`apps/projection/src/read-api`). Browser
 * code loads no server module, so most shapes are restated here (fields the dashboard does not
 * show are left out); the VIF shapes come from `@pool/contracts` as types only, erased by tsc.
 */
import type {
  AddressSetView,
  OverlayHostView,
  SecurityGroupView,
  VifPolicyView,
  VmVifView,
} from '@pool/contracts';

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface PoolListItem {
  id: string;
  name: string;
  version: number;
  hosts: number;
  networks: number;
  vms: number;
  vifs: number;
}

export interface PoolSummary extends PoolListItem {
  updatedAt: string | null;
  migrationsActive: number;
}

export type PortState = 'forwarding' | 'pending' | 'down';

export interface SwitchPort extends VifPolicyView {
  vifId: string;
  vmId: string;
  vmName: string;
  mac: string;
  ips: string[];
  hostId: string | null;
  state: PortState;
}

/** One host of an overlay network's mesh and its tunnels, as its reports say. */
export type OverlayHost = OverlayHostView;

export interface SwitchNetwork {
  id: string;
  name: string;
  kind: 'external' | 'private' | 'overlay';
  vlan: number | null;
  /** An overlay network's VNI. */
  vni?: number | null;
  mtu: number;
  /** deny: the network's ports drop IP traffic no rule allows. */
  aclDefault: 'allow' | 'deny';
  purpose?: string;
  uplinks: { hostId: string; device: string }[];
  ports: SwitchPort[];
  /** Overlay networks: each host of the mesh and its tunnels. */
  tunnels?: OverlayHost[];
}

export interface PoolSwitch {
  pool: string;
  version: number;
  networks: SwitchNetwork[];
}

export interface HostRow {
  id: string;
  name: string;
  /** The address the host joined with. */
  address?: string;
  enabled: boolean;
  /** The management PIF's device. */
  management: string | null;
  appliedVersion: number | null;
  lagEvents: number | null;
  lagSeconds: number | null;
  lastReportAt: string | null;
  digest: string | null;
  drift: number;
  /** Set while the host holds an earlier version after its network watchdog rolled back. */
  held?: { version: number; refusedVersion: number; reason: string; since: string } | null;
  runningVms: number;
}

export type VmVif = VmVifView;

export interface VmRow {
  id: string;
  name: string;
  powerState: 'running' | 'halted';
  hostId: string | null;
  vifs: VmVif[];
  migration: { id: string; status: string; toHostId: string } | null;
}

export const MIGRATION_STEPS = ['requested', 'prepared', 'activated', 'completed'] as const;
export type MigrationStatus = (typeof MIGRATION_STEPS)[number] | 'aborted';

export interface MigrationRow {
  id: string;
  vmId: string;
  fromHostId: string;
  toHostId: string;
  status: MigrationStatus;
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

export type Scope =
  | { kind: 'network'; networkId: string }
  | { kind: 'vif'; vifId: string }
  | { kind: 'group'; groupId: string };

export interface AclRow {
  id: string;
  scope: Scope;
  /** from-vm: what the VM sends; to-vm: what is delivered to it. */
  direction: 'from-vm' | 'to-vm';
  priority: number;
  /** The remote side is at most one of cidr, addressSetId and remoteGroupId; none: any. */
  match: {
    protocol: string;
    cidr: string | null;
    addressSetId: string | null;
    remoteGroupId: string | null;
    portFrom: number | null;
    portTo: number | null;
  };
  action: 'allow' | 'drop';
  /** Allowed packets are not tracked: replies need a rule of their own. */
  stateless: boolean;
  /** What the rule passed or dropped, as hosts last reported it. */
  hits: {
    packets: number;
    bytes: number;
    hosts: { hostId: string; packets: number; bytes: number; updatedAt: string }[];
  };
}

export type AddressSetRow = AddressSetView;
export type SecurityGroupRow = SecurityGroupView;

export interface MirrorRow {
  id: string;
  source: Scope;
  direction: 'ingress' | 'egress' | 'both';
  destinationVifId: string;
  /** Whether it copies now and why not; absent from an older API. */
  status?: {
    state: 'active' | 'partial' | 'inactive';
    monitorHost: string | null;
    problems: { code: string; message: string; host?: string }[];
  };
}

/** One port's counters as its host last reported them. */
export interface CounterRow {
  hostId: string;
  /** The datapath port name (`pnv-…`); `vifId` names the VIF when the API resolves it. */
  port: string;
  vifId?: string | null;
  rxPackets: number;
  txPackets: number;
  rxBytes: number;
  txBytes: number;
  updatedAt?: string | null;
}

/** A host where several traffic types share one NIC (DESIGN §1: the seed's advice). */
export interface AdviceRow {
  hostId: string;
  hostName?: string;
  device: string;
  traffic: string[];
  /** `eth0 carries management and vm traffic: dedicate a NIC …` */
  message?: string;
}

/** `event: change` on the pool's stream. */
export interface ChangeEvent {
  pool: string;
  version: number;
  kinds: string[];
}

/** `event: host` on the pool's stream. */
export interface HostEvent {
  pool: string;
  hostId: string;
  appliedVersion: number;
  lagEvents: number;
}
