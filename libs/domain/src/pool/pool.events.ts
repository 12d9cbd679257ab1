import type { Event } from '../core/event.js';
import type {
  AclAction,
  AclDefaultPolicy,
  AclDirection,
  AclMatch,
  BondMode,
  HostInterface,
  MigrationActivation,
  MirrorDirection,
  NetworkPurpose,
  NetworkUplink,
  Pif,
  PifRole,
  AddressPair,
  Qos,
  Scope,
} from './pool.types.js';

/*
 * The events of one pool's stream, all at schema version 1. Stored type strings are never
 * renamed: a changed shape gets schemaVersion 2 and an upcaster in pool.upcasters.ts.
 * Fields are never optional: an absent value is `null`.
 */

type V1<Type extends string, Data extends object> = Event<Type, Data, 1>;
type V2<Type extends string, Data extends object> = Event<Type, Data, 2>;
type V4<Type extends string, Data extends object> = Event<Type, Data, 4>;

export type PoolCreated = V1<'PoolCreated', { poolId: string; name: string; createdAt: string }>;
export type PoolRenamed = V1<'PoolRenamed', { name: string }>;

/** Every PIF carries its role: the management device `management`, the others `unused`. */
export type HostJoined = V1<
  'HostJoined',
  { hostId: string; name: string; address: string; pifs: Pif[]; joinedAt: string }
>;
export type HostEnabled = V1<'HostEnabled', { hostId: string }>;
export type HostDisabled = V1<'HostDisabled', { hostId: string }>;
export type HostEjected = V1<'HostEjected', { hostId: string }>;
/**
 * The host's network watchdog lost NATS after it applied `refusedVersion` and put its switch
 * back as it was at `heldVersion`; it holds there until a later change to its uplinks or bonds.
 * Changes nothing in the pool's configuration: the log records what happened on the host.
 */
export type HostNetworkRolledBack = V1<
  'HostNetworkRolledBack',
  {
    hostId: string;
    refusedVersion: number;
    heldVersion: number;
    reason: string;
    recordedAt: string;
  }
>;
/**
 * The host keeps its management PIF `device` alone: no network is uplinked on it there, until
 * management moves to another PIF or the host joins again (its bonds over it were destroyed
 * by BondDestroyed events just before).
 */
export type HostNetworkingReset = V1<'HostNetworkingReset', { hostId: string; device: string }>;
/** `role` is never `management`: that role moves with ManagementPifMoved. */
export type PifRoleChanged = V1<
  'PifRoleChanged',
  { hostId: string; device: string; role: PifRole }
>;
/** `toDevice` becomes the management PIF; `fromDevice` becomes `unused`. */
export type ManagementPifMoved = V1<
  'ManagementPifMoved',
  { hostId: string; fromDevice: string; toDevice: string }
>;
/** The host's overlay tunnels now start and end at `address` on `device`. */
export type TunnelEndpointSet = V1<
  'TunnelEndpointSet',
  { hostId: string; device: string; address: string }
>;
export type TunnelEndpointCleared = V1<'TunnelEndpointCleared', { hostId: string }>;
export type PifMtuChanged = V1<'PifMtuChanged', { hostId: string; device: string; mtu: number }>;

/**
 * The host's interface `interface.name` is now as given, wherever it was before: a move and its
 * address change are one event, so the host moves the address in one apply.
 */
/**
 * `replaces`: the interface this one takes the place of, gone in the same event (v2): how the
 * management interface moves off the NIC itself, whose name it had to bear, onto a bridge.
 */
export type HostInterfaceConfigured = V2<
  'HostInterfaceConfigured',
  { hostId: string; interface: HostInterface; replaces: string | null }
>;
export type HostInterfaceRemoved = V1<'HostInterfaceRemoved', { hostId: string; name: string }>;

export type BondCreated = V1<
  'BondCreated',
  { bondId: string; hostId: string; device: string; members: string[]; mode: BondMode }
>;
export type BondDestroyed = V1<'BondDestroyed', { bondId: string; hostId: string; device: string }>;

/**
 * `overlay` (with its `vni`) is a kind added later: events written before it are all of the
 * other kinds and read unchanged, so the version stays 1.
 */
export type NetworkCreated = V1<
  'NetworkCreated',
  { networkId: string; name: string; purpose: NetworkPurpose; mtu: number } & NetworkUplink
>;
export type NetworkRenamed = V1<'NetworkRenamed', { networkId: string; name: string }>;
export type NetworkMtuChanged = V1<'NetworkMtuChanged', { networkId: string; mtu: number }>;
export type NetworkDestroyed = V1<'NetworkDestroyed', { networkId: string }>;
/** Networks start as `allow` (NetworkCreated carries no policy). */
export type NetworkAclDefaultChanged = V1<
  'NetworkAclDefaultChanged',
  { networkId: string; defaultPolicy: AclDefaultPolicy }
>;

export type VmCreated = V1<'VmCreated', { vmId: string; name: string }>;
export type VmRenamed = V1<'VmRenamed', { vmId: string; name: string }>;
export type VmStarted = V1<'VmStarted', { vmId: string; hostId: string }>;
export type VmStopped = V1<'VmStopped', { vmId: string; hostId: string }>;
export type VmDestroyed = V1<'VmDestroyed', { vmId: string }>;

/** v2: `extraIps` and `allowedPairs` added (v1: none). */
export type VifCreated = V2<
  'VifCreated',
  {
    vifId: string;
    vmId: string;
    device: number;
    networkId: string;
    mac: string;
    macGenerated: boolean;
    ipv4: string | null;
    ipv6: string | null;
    extraIps: string[];
    allowedPairs: AddressPair[];
    qos: Qos | null;
    portSecurity: boolean;
  }
>;
/** Carries the VIF's whole mutable configuration after the change. v2 as VifCreated. */
export type VifUpdated = V2<
  'VifUpdated',
  {
    vifId: string;
    ipv4: string | null;
    ipv6: string | null;
    extraIps: string[];
    allowedPairs: AddressPair[];
    qos: Qos | null;
    portSecurity: boolean;
  }
>;
export type VifDestroyed = V1<
  'VifDestroyed',
  { vifId: string; vmId: string; networkId: string; mac: string }
>;

/**
 * v2: `reject` is gone (v1 rules read as `drop`) and `stateless` added (v1: false).
 * v3: the match names an address set or a security group as its remote side (v2: neither).
 * v4: the direction is `from-vm` / `to-vm` (v1–v3 wrote `ingress` for from-vm, `egress` for
 * to-vm, the opposite of Neutron's reading of those words).
 */
export type AclRuleCreated = V4<
  'AclRuleCreated',
  {
    ruleId: string;
    scope: Scope;
    direction: AclDirection;
    priority: number;
    match: AclMatch;
    action: AclAction;
    stateless: boolean;
  }
>;
export type AclRuleDeleted = V1<'AclRuleDeleted', { ruleId: string }>;

/** `cidrs` in stored form (see AddressSet). */
export type AddressSetCreated = V1<
  'AddressSetCreated',
  { addressSetId: string; name: string; cidrs: string[] }
>;
/** The whole new content. */
export type AddressSetUpdated = V1<'AddressSetUpdated', { addressSetId: string; cidrs: string[] }>;
export type AddressSetDeleted = V1<'AddressSetDeleted', { addressSetId: string }>;

/** A group starts with no members. */
export type SecurityGroupCreated = V1<
  'SecurityGroupCreated',
  { groupId: string; name: string; defaultPolicy: AclDefaultPolicy }
>;
export type SecurityGroupPolicyChanged = V1<
  'SecurityGroupPolicyChanged',
  { groupId: string; defaultPolicy: AclDefaultPolicy }
>;
export type SecurityGroupMemberAdded = V1<
  'SecurityGroupMemberAdded',
  { groupId: string; vifId: string }
>;
/** Also recorded for each group of a VIF that is destroyed, before its VifDestroyed. */
export type SecurityGroupMemberRemoved = V1<
  'SecurityGroupMemberRemoved',
  { groupId: string; vifId: string }
>;
/** Comes after the deletion of its rules and mirrors and the removal of each member. */
export type SecurityGroupDeleted = V1<'SecurityGroupDeleted', { groupId: string }>;

export type MirrorCreated = V1<
  'MirrorCreated',
  { mirrorId: string; source: Scope; direction: MirrorDirection; destinationVifId: string }
>;
export type MirrorDeleted = V1<'MirrorDeleted', { mirrorId: string }>;

/**
 * v2: `acceptIsolation`, the request's word that the VM may leave its peers on a host-local
 * private network behind (PRIVATE_NETWORK_PEERS otherwise); v1 requests read as false.
 */
export type MigrationRequested = V2<
  'MigrationRequested',
  {
    migrationId: string;
    vmId: string;
    fromHostId: string;
    toHostId: string;
    requestedAt: string;
    acceptIsolation: boolean;
  }
>;
/**
 * v2: `activation`, who will activate it: `coordinator` (the coordinator, once the source has
 * stopped forwarding: the only way before v2, which v1 events read as) or `vm` (the VM's own
 * announcement on the target, in the datapath: the source keeps forwarding meanwhile).
 */
export type MigrationPrepared = V2<
  'MigrationPrepared',
  { migrationId: string; vmId: string; activation: MigrationActivation }
>;
/**
 * v2: `activatedBy`, `datapath` when the target's switch opened the ports on the VM's
 * announcement and its host reported it (then `announcedAt`, the switch's time of that
 * announcement, ISO 8601), `coordinator` otherwise (v1 events read as that, announcedAt null).
 */
export type MigrationActivated = V2<
  'MigrationActivated',
  {
    migrationId: string;
    vmId: string;
    activatedBy: 'datapath' | 'coordinator';
    announcedAt: string | null;
  }
>;
/** The VM is now resident on `toHostId`. */
export type MigrationCompleted = V1<
  'MigrationCompleted',
  { migrationId: string; vmId: string; fromHostId: string; toHostId: string }
>;
/** The VM stays on the source; the target drops its pending ports. */
export type MigrationAborted = V1<
  'MigrationAborted',
  { migrationId: string; vmId: string; reason: string }
>;

export type PoolEvent =
  | PoolCreated
  | PoolRenamed
  | HostJoined
  | HostEnabled
  | HostDisabled
  | HostEjected
  | HostNetworkRolledBack
  | HostNetworkingReset
  | PifRoleChanged
  | ManagementPifMoved
  | PifMtuChanged
  | TunnelEndpointSet
  | TunnelEndpointCleared
  | HostInterfaceConfigured
  | HostInterfaceRemoved
  | BondCreated
  | BondDestroyed
  | NetworkCreated
  | NetworkRenamed
  | NetworkMtuChanged
  | NetworkDestroyed
  | NetworkAclDefaultChanged
  | VmCreated
  | VmRenamed
  | VmStarted
  | VmStopped
  | VmDestroyed
  | VifCreated
  | VifUpdated
  | VifDestroyed
  | AclRuleCreated
  | AclRuleDeleted
  | AddressSetCreated
  | AddressSetUpdated
  | AddressSetDeleted
  | SecurityGroupCreated
  | SecurityGroupPolicyChanged
  | SecurityGroupMemberAdded
  | SecurityGroupMemberRemoved
  | SecurityGroupDeleted
  | MirrorCreated
  | MirrorDeleted
  | MigrationRequested
  | MigrationPrepared
  | MigrationActivated
  | MigrationCompleted
  | MigrationAborted;

export type PoolEventType = PoolEvent['type'];
export type PoolEventOf<T extends PoolEventType> = Extract<PoolEvent, { type: T }>;

/** Every event type with the schema version this code writes. */
export const POOL_EVENT_SCHEMA_VERSIONS: {
  readonly [T in PoolEventType]: PoolEventOf<T>['schemaVersion'];
} = {
  PoolCreated: 1,
  PoolRenamed: 1,
  HostJoined: 1,
  HostEnabled: 1,
  HostDisabled: 1,
  HostEjected: 1,
  HostNetworkRolledBack: 1,
  HostNetworkingReset: 1,
  PifRoleChanged: 1,
  ManagementPifMoved: 1,
  PifMtuChanged: 1,
  TunnelEndpointSet: 1,
  TunnelEndpointCleared: 1,
  HostInterfaceConfigured: 2,
  HostInterfaceRemoved: 1,
  BondCreated: 1,
  BondDestroyed: 1,
  NetworkCreated: 1,
  NetworkRenamed: 1,
  NetworkMtuChanged: 1,
  NetworkDestroyed: 1,
  NetworkAclDefaultChanged: 1,
  VmCreated: 1,
  VmRenamed: 1,
  VmStarted: 1,
  VmStopped: 1,
  VmDestroyed: 1,
  VifCreated: 2,
  VifUpdated: 2,
  VifDestroyed: 1,
  AclRuleCreated: 4,
  AclRuleDeleted: 1,
  AddressSetCreated: 1,
  AddressSetUpdated: 1,
  AddressSetDeleted: 1,
  SecurityGroupCreated: 1,
  SecurityGroupPolicyChanged: 1,
  SecurityGroupMemberAdded: 1,
  SecurityGroupMemberRemoved: 1,
  SecurityGroupDeleted: 1,
  MirrorCreated: 1,
  MirrorDeleted: 1,
  MigrationRequested: 2,
  MigrationPrepared: 2,
  MigrationActivated: 2,
  MigrationCompleted: 1,
  MigrationAborted: 1,
};

/** Builds an event at the schema version this code writes. */
export const poolEvent = <T extends PoolEventType>(
  type: T,
  data: PoolEventOf<T>['data'],
): PoolEventOf<T> =>
  ({ type, data, schemaVersion: POOL_EVENT_SCHEMA_VERSIONS[type] }) as PoolEventOf<T>;
