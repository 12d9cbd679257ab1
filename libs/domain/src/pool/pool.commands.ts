import type { Command } from '../core/command.js';
import type {
  AclDefaultPolicy,
  AclRequestedAction,
  AclDirection,
  AclProtocol,
  BondMode,
  HostInterfacePlacement,
  HostInterfacePurpose,
  MigrationActivation,
  MirrorDirection,
  NetworkPurpose,
  PifInventory,
  PifRole,
  Qos,
  Scope,
} from './pool.types.js';

/*
 * Commands target one pool's stream (`poolStreamId(poolId)`); only `CreatePool` names the pool
 * in its data. Optional fields take the defaults documented beside them.
 */

export type CreatePool = Command<'CreatePool', { poolId: string; name: string }>;
export type RenamePool = Command<'RenamePool', { name: string }>;

export type JoinHost = Command<
  'JoinHost',
  {
    hostId: string;
    name: string;
    address: string;
    pifs: readonly PifInventory[];
    managementDevice: string;
  }
>;
export type EnableHost = Command<'EnableHost', { hostId: string }>;
export type DisableHost = Command<'DisableHost', { hostId: string }>;
export type EjectHost = Command<'EjectHost', { hostId: string }>;
/** A member host's report that it rolled back a change that cut it off (its network watchdog). */
export type RecordNetworkRollback = Command<
  'RecordNetworkRollback',
  { hostId: string; refusedVersion: number; heldVersion: number; reason: string }
>;
/** `xe-reset-networking`: the host keeps its management PIF alone. */
export type ResetHostNetworking = Command<'ResetHostNetworking', { hostId: string }>;
export type SetPifRole = Command<'SetPifRole', { hostId: string; device: string; role: PifRole }>;
export type SetPifMtu = Command<'SetPifMtu', { hostId: string; device: string; mtu: number }>;
/** `address: null` clears the host's endpoint (refused while overlay networks exist). */
export type SetTunnelEndpoint = Command<
  'SetTunnelEndpoint',
  { hostId: string; device: string | null; address: string | null }
>;

/**
 * Creates or reconfigures the host's interface `name` in one change: moving it to another
 * device or VLAN moves its address (XAPI's `PIF.reconfigure_ip` with the management move).
 * Defaults: `vlan` none, `placement` internal, each family `none`, no DNS servers. An `address`
 * is `ip/prefix`; `gateway` and `dns` are for management only.
 */
export type ConfigureHostInterface = Command<
  'ConfigureHostInterface',
  {
    hostId: string;
    name: string;
    purpose: HostInterfacePurpose;
    device: string;
    vlan?: number | null;
    placement?: HostInterfacePlacement;
    ipv4?: IpConfigSpec;
    ipv6?: IpConfigSpec;
    dns?: string[];
    /**
     * An interface of the host, of the same purpose, that this one takes the place of in the
     * same change (the management interface moving off the NIC whose name it bears).
     */
    replaces?: string | null;
  }
>;
/** As asked: `mode` none, dhcp, static (with `address`, optional `gateway`), or autoconf (IPv6). */
export type IpConfigSpec = { mode: string; address?: string; gateway?: string | null };
/** Refused for the management interface: it moves, it is never removed. */
export type RemoveHostInterface = Command<'RemoveHostInterface', { hostId: string; name: string }>;

export type CreateBond = Command<
  'CreateBond',
  { bondId: string; hostId: string; device: string; members: readonly string[]; mode: BondMode }
>;
export type DestroyBond = Command<'DestroyBond', { bondId: string }>;

export type NetworkSpec = {
  networkId: string;
  name: string;
  purpose: NetworkPurpose;
  mtu?: number;
} & (
  | { kind: 'external'; device: string; vlan?: number | null }
  | { kind: 'private' }
  | { kind: 'overlay' }
);
/**
 * `mtu` defaults to 1500 (1450 for an overlay, what a 1500-byte underlay carries over IPv4);
 * an external network without `vlan` is untagged; an overlay's VNI is allocated by the pool.
 */
export type CreateNetwork = Command<'CreateNetwork', NetworkSpec>;
export type UpdateNetwork = Command<
  'UpdateNetwork',
  { networkId: string; name?: string; mtu?: number }
>;
export type DestroyNetwork = Command<'DestroyNetwork', { networkId: string }>;

export type CreateVm = Command<'CreateVm', { vmId: string; name: string }>;
export type RenameVm = Command<'RenameVm', { vmId: string; name: string }>;
export type StartVm = Command<'StartVm', { vmId: string; hostId: string }>;
/**
 * With `hostId`, only if the VM runs there (VM_NOT_ON_HOST otherwise): a hypervisor's hook
 * reports a stop on its own host, which must not halt a VM that has moved on since.
 */
export type StopVm = Command<'StopVm', { vmId: string; hostId?: string }>;
/** Destroys the VM's VIFs (and the ACL rules and mirrors on them) with it. */
export type DestroyVm = Command<'DestroyVm', { vmId: string }>;

/**
 * Without `mac` the pool generates one; without `device` it takes the VM's lowest free index
 * (the decider sees every VIF of the VM, so two clients cannot pick the same one);
 * `portSecurity` defaults to false, `qos` to none.
 */
export type CreateVif = Command<
  'CreateVif',
  {
    vifId: string;
    vmId: string;
    device?: number;
    networkId: string;
    mac?: string | null;
    ipv4?: string | null;
    ipv6?: string | null;
    extraIps?: string[];
    allowedPairs?: AddressPairSpec[];
    qos?: Qos | null;
    portSecurity?: boolean;
  }
>;
/** An allowed address pair as asked: without `mac` (or `null`) the VIF's own. */
export type AddressPairSpec = { ip: string; mac?: string | null };
/** A missing field keeps its value; `null` clears an address or the QoS; a list replaces. */
export type UpdateVif = Command<
  'UpdateVif',
  {
    vifId: string;
    ipv4?: string | null;
    ipv6?: string | null;
    extraIps?: string[];
    allowedPairs?: AddressPairSpec[];
    qos?: Qos | null;
    portSecurity?: boolean;
  }
>;
export type DestroyVif = Command<'DestroyVif', { vifId: string }>;

/** At most one remote side: `cidr`, `addressSetId` or `remoteGroupId`; none matches any. */
export type AclMatchSpec = {
  protocol: AclProtocol;
  cidr?: string | null;
  addressSetId?: string | null;
  remoteGroupId?: string | null;
  /** Alone, a single port; both need protocol tcp or udp. */
  portFrom?: number | null;
  portTo?: number | null;
};
export type CreateAclRule = Command<
  'CreateAclRule',
  {
    ruleId: string;
    scope: Scope;
    direction: AclDirection;
    priority: number;
    match: AclMatchSpec;
    action: AclRequestedAction;
    /** Allow rules only; absent: false (stateful: replies are admitted). */
    stateless?: boolean;
  }
>;
export type DeleteAclRule = Command<'DeleteAclRule', { ruleId: string }>;

/** `cidrs`: prefixes or bare addresses, at most ADDRESS_SET_MAX_ENTRIES; may be empty. */
export type CreateAddressSet = Command<
  'CreateAddressSet',
  { addressSetId: string; name: string; cidrs: string[] }
>;
/** Replaces the whole content. */
export type UpdateAddressSet = Command<
  'UpdateAddressSet',
  { addressSetId: string; cidrs: string[] }
>;
/** Refused while a rule names it. */
export type DeleteAddressSet = Command<'DeleteAddressSet', { addressSetId: string }>;

/** `defaultPolicy` defaults to `deny`, as security groups are. */
export type CreateSecurityGroup = Command<
  'CreateSecurityGroup',
  { groupId: string; name: string; defaultPolicy?: AclDefaultPolicy }
>;
export type SetSecurityGroupPolicy = Command<
  'SetSecurityGroupPolicy',
  { groupId: string; defaultPolicy: AclDefaultPolicy }
>;
export type AddSecurityGroupMember = Command<
  'AddSecurityGroupMember',
  { groupId: string; vifId: string }
>;
export type RemoveSecurityGroupMember = Command<
  'RemoveSecurityGroupMember',
  { groupId: string; vifId: string }
>;
/**
 * Deletes the rules scoped to the group and the mirrors watching it; refused while a rule
 * outside the group names it as its remote side.
 */
export type DeleteSecurityGroup = Command<'DeleteSecurityGroup', { groupId: string }>;

export type SetNetworkAclDefault = Command<
  'SetNetworkAclDefault',
  { networkId: string; defaultPolicy: AclDefaultPolicy }
>;

export type CreateMirror = Command<
  'CreateMirror',
  { mirrorId: string; source: Scope; direction: MirrorDirection; destinationVifId: string }
>;
export type DeleteMirror = Command<'DeleteMirror', { mirrorId: string }>;

/** `acceptIsolation` (default false): the VM may leave its private-network peers behind. */
export type RequestMigration = Command<
  'RequestMigration',
  { migrationId: string; vmId: string; toHostId: string; acceptIsolation?: boolean }
>;
/** `activation`: who will activate it (absent: the coordinator). */
export type PrepareMigration = Command<
  'PrepareMigration',
  { migrationId: string; activation?: MigrationActivation }
>;
/**
 * `announcedAt` (ISO 8601): the target's switch opened the ports on the VM's announcement then,
 * and the migration is recorded as activated by the datapath; absent: by the coordinator.
 */
export type ActivateMigration = Command<
  'ActivateMigration',
  { migrationId: string; announcedAt?: string }
>;
export type CompleteMigration = Command<'CompleteMigration', { migrationId: string }>;
export type AbortMigration = Command<'AbortMigration', { migrationId: string; reason: string }>;

export type PoolCommand =
  | CreatePool
  | RenamePool
  | JoinHost
  | EnableHost
  | DisableHost
  | EjectHost
  | RecordNetworkRollback
  | ResetHostNetworking
  | SetPifRole
  | SetPifMtu
  | SetTunnelEndpoint
  | ConfigureHostInterface
  | RemoveHostInterface
  | CreateBond
  | DestroyBond
  | CreateNetwork
  | UpdateNetwork
  | DestroyNetwork
  | CreateVm
  | RenameVm
  | StartVm
  | StopVm
  | DestroyVm
  | CreateVif
  | UpdateVif
  | DestroyVif
  | CreateAclRule
  | DeleteAclRule
  | CreateAddressSet
  | UpdateAddressSet
  | DeleteAddressSet
  | CreateSecurityGroup
  | SetSecurityGroupPolicy
  | AddSecurityGroupMember
  | RemoveSecurityGroupMember
  | DeleteSecurityGroup
  | SetNetworkAclDefault
  | CreateMirror
  | DeleteMirror
  | RequestMigration
  | PrepareMigration
  | ActivateMigration
  | CompleteMigration
  | AbortMigration;

export type PoolCommandType = PoolCommand['type'];
