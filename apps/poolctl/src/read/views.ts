import type {
  AclMatchView,
  AclRuleView,
  AddressSetView,
  HostDetailView,
  HostView as ReadHostView,
  MirrorView,
  NetworkView as ReadNetworkView,
  PifView,
  PoolSummaryView,
  PoolView as ReadPoolView,
  ScopeView,
  SecurityGroupView,
  VmVifView,
  VmView,
} from '@pool/contracts';

export type { AddressSetView, MirrorView, PifView, ScopeView, SecurityGroupView, VmView };

/*
 * What the read verbs show: the projection read API's shapes, defined once in libs/contracts
 * (read-api.ts), which the log fallback (log-views.ts) produces too, so `--output json` has one
 * shape whichever side answered. Nothing is restated here: each view is the contract's, with two
 * named allowances only. A field the contract gains reaches poolctl as it is, and the log
 * fallback must then fill it (the compiler says where), or list it under one of them.
 */

/** `K` is null when the log answers: it says what is configured, not what hosts applied. */
type FromReports<T, K extends keyof T> = Omit<T, K> & { [P in K]: T[P] | null };

/** `K` may be absent: a projection older than this poolctl does not send it. */
type SinceProjection<T, K extends keyof T> = Omit<T, K> & Partial<Pick<T, K>>;

export type PoolSummary = PoolSummaryView;

export type PoolView = FromReports<ReadPoolView, 'updatedAt'>;

/** `drift` only hosts' reports give; `held` an older projection omits. */
export type HostView = FromReports<SinceProjection<ReadHostView, 'held'>, 'drift'>;

export type HostDetail = HostView &
  Omit<HostDetailView, keyof ReadHostView | 'pifs'> & {
    /** Speed and carrier: a projection older than them omits both. */
    pifs: SinceProjection<PifView, 'speedMbps' | 'carrier'>[];
  };

/**
 * Its bridge, default policy (allow when absent), VNI and underlay: a projection older than them
 * omits them.
 */
export type NetworkView = SinceProjection<
  ReadNetworkView,
  'bridge' | 'aclDefault' | 'vni' | 'underlay'
>;

export type VifView = VmVifView;

/**
 * Hits only the projection knows (null from the log); `stateless` and the remote side besides
 * `cidr` a projection older than them omits.
 */
export type AclView = FromReports<
  SinceProjection<Omit<AclRuleView, 'match'>, 'stateless'>,
  'hits'
> & {
  match: SinceProjection<AclMatchView, 'addressSetId' | 'remoteGroupId'>;
};

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
