import { path } from '../http/path.js';
import { compact, type CommandRequest } from './command-request.js';

/*
 * Every command route of the pool master (apps/pool-master/src/api/controllers), one function
 * each: what the verbs send, and nothing else. Fields left undefined are not sent.
 */

export interface PifInventory {
  device: string;
  mac: string;
  mtu: number;
  speedMbps: number;
  carrier: boolean;
}

export interface Qos {
  ingressKbps: number;
  ingressBurstKb: number;
  egressKbps: number;
  egressBurstKb: number;
}

export type Scope =
  | { kind: 'network'; networkId: string }
  | { kind: 'vif'; vifId: string }
  | { kind: 'group'; groupId: string };

/** At most one remote side: `cidr`, `addressSetId` or `remoteGroupId`; none: any address. */
export interface AclMatch {
  protocol: string;
  cidr?: string;
  addressSetId?: string;
  remoteGroupId?: string;
  portFrom?: number;
  portTo?: number;
}

export type AclDefaultPolicy = 'allow' | 'deny';

const create = (pathname: string, idField: string, body: object): CommandRequest => ({
  method: 'POST',
  path: pathname,
  body: compact(body),
  createdIdField: idField,
});

// Pools
export const createPool = (poolId: string, name: string): CommandRequest =>
  create('/pools', 'poolId', { poolId, name });
export const renamePool = (pool: string, name: string): CommandRequest => ({
  method: 'PATCH',
  path: path`/pools/${pool}`,
  body: { name },
});

// Hosts and PIFs
export const joinHost = (
  pool: string,
  host: {
    hostId?: string;
    name: string;
    address: string;
    pifs: PifInventory[];
    managementDevice: string;
  },
): CommandRequest => create(path`/pools/${pool}/hosts`, 'hostId', host);
export const enableHost = (pool: string, host: string): CommandRequest => ({
  method: 'POST',
  path: path`/pools/${pool}/hosts/${host}/enable`,
});
export const disableHost = (pool: string, host: string): CommandRequest => ({
  method: 'POST',
  path: path`/pools/${pool}/hosts/${host}/disable`,
});
export const resetHostNetworking = (pool: string, host: string): CommandRequest => ({
  method: 'POST',
  path: path`/pools/${pool}/hosts/${host}/reset-networking`,
});
export const ejectHost = (pool: string, host: string): CommandRequest => ({
  method: 'DELETE',
  path: path`/pools/${pool}/hosts/${host}`,
});
export const setPif = (
  pool: string,
  host: string,
  device: string,
  settings: { role?: string; mtu?: number },
): CommandRequest => ({
  method: 'PUT',
  path: path`/pools/${pool}/hosts/${host}/pifs/${device}`,
  body: compact(settings),
});

/** Where the host's overlay tunnels start and end; both null clears it. */
export const setTunnelEndpoint = (
  pool: string,
  host: string,
  endpoint: { device: string | null; address: string | null },
): CommandRequest => ({
  method: 'PUT',
  path: path`/pools/${pool}/hosts/${host}/tunnel-endpoint`,
  body: endpoint,
});

/** One address family of a host interface, as the master takes it. */
export type IpConfigSpec = { mode: string; address?: string; gateway?: string };

export const configureHostInterface = (
  pool: string,
  host: string,
  name: string,
  data: {
    purpose: string;
    device: string;
    vlan?: number;
    placement?: string;
    ipv4?: IpConfigSpec;
    ipv6?: IpConfigSpec;
    dns?: string[];
    replaces?: string;
  },
): CommandRequest => ({
  method: 'PUT',
  path: path`/pools/${pool}/hosts/${host}/interfaces/${name}`,
  body: compact(data),
});
export const removeHostInterface = (pool: string, host: string, name: string): CommandRequest => ({
  method: 'DELETE',
  path: path`/pools/${pool}/hosts/${host}/interfaces/${name}`,
});

// Bonds
export const createBond = (
  pool: string,
  bond: { bondId?: string; hostId: string; device: string; members: string[]; mode: string },
): CommandRequest => create(path`/pools/${pool}/bonds`, 'bondId', bond);
export const destroyBond = (pool: string, bond: string): CommandRequest => ({
  method: 'DELETE',
  path: path`/pools/${pool}/bonds/${bond}`,
});

// Networks
export type NetworkSpec = {
  networkId?: string;
  name: string;
  purpose: string;
  mtu?: number;
} & (
  { kind: 'external'; device: string; vlan?: number } | { kind: 'private' } | { kind: 'overlay' }
);

export const createNetwork = (pool: string, network: NetworkSpec): CommandRequest =>
  create(path`/pools/${pool}/networks`, 'networkId', network);
export const updateNetwork = (
  pool: string,
  network: string,
  changes: { name?: string; mtu?: number },
): CommandRequest => ({
  method: 'PATCH',
  path: path`/pools/${pool}/networks/${network}`,
  body: compact(changes),
});
export const destroyNetwork = (pool: string, network: string): CommandRequest => ({
  method: 'DELETE',
  path: path`/pools/${pool}/networks/${network}`,
});
export const setNetworkAclDefault = (
  pool: string,
  network: string,
  defaultPolicy: AclDefaultPolicy,
): CommandRequest => ({
  method: 'PUT',
  path: path`/pools/${pool}/networks/${network}/acl-default`,
  body: { defaultPolicy },
});

// VMs
export const createVm = (pool: string, vm: { vmId?: string; name: string }): CommandRequest =>
  create(path`/pools/${pool}/vms`, 'vmId', vm);
export const renameVm = (pool: string, vm: string, name: string): CommandRequest => ({
  method: 'PATCH',
  path: path`/pools/${pool}/vms/${vm}`,
  body: { name },
});
export const destroyVm = (pool: string, vm: string): CommandRequest => ({
  method: 'DELETE',
  path: path`/pools/${pool}/vms/${vm}`,
});
export const startVm = (pool: string, vm: string, hostId: string): CommandRequest => ({
  method: 'POST',
  path: path`/pools/${pool}/vms/${vm}/start`,
  body: { hostId },
});
export const stopVm = (pool: string, vm: string): CommandRequest => ({
  method: 'POST',
  path: path`/pools/${pool}/vms/${vm}/stop`,
});
/** `acceptIsolation`: leave the VM's peers on a host-local private network behind. */
export const migrateVm = (
  pool: string,
  vm: string,
  toHostId: string,
  options: { migrationId?: string; acceptIsolation?: boolean } = {},
): CommandRequest =>
  create(path`/pools/${pool}/vms/${vm}/migrate`, 'migrationId', {
    migrationId: options.migrationId,
    toHostId,
    acceptIsolation: options.acceptIsolation,
  });

// VIFs
export interface VifAddressing {
  /** `null` clears (update only). */
  ipv4?: string | null;
  ipv6?: string | null;
  /** Replaces the VIF's further addresses (`[]` clears). */
  extraIps?: string[];
  /** Replaces its allowed address pairs (`[]` clears); without `mac`, the VIF's own. */
  allowedPairs?: { ip: string; mac?: string }[];
  qos?: Qos | null;
  portSecurity?: boolean;
}

export const createVif = (
  pool: string,
  vm: string,
  vif: { vifId?: string; device?: number; networkId: string; mac?: string } & VifAddressing,
): CommandRequest => create(path`/pools/${pool}/vms/${vm}/vifs`, 'vifId', vif);
export const updateVif = (
  pool: string,
  vm: string,
  vif: string,
  changes: VifAddressing,
): CommandRequest => ({
  method: 'PATCH',
  path: path`/pools/${pool}/vms/${vm}/vifs/${vif}`,
  body: compact({ ...changes }),
});
export const destroyVif = (pool: string, vm: string, vif: string): CommandRequest => ({
  method: 'DELETE',
  path: path`/pools/${pool}/vms/${vm}/vifs/${vif}`,
});

// ACL rules
export const createAclRule = (
  pool: string,
  rule: {
    ruleId?: string;
    scope: Scope;
    direction: string;
    priority: number;
    match: AclMatch;
    action: string;
    stateless?: boolean;
  },
): CommandRequest =>
  create(path`/pools/${pool}/acls`, 'ruleId', { ...rule, match: compact({ ...rule.match }) });
export const deleteAclRule = (pool: string, rule: string): CommandRequest => ({
  method: 'DELETE',
  path: path`/pools/${pool}/acls/${rule}`,
});

// Address sets and security groups (pool-wide, named: the policy ACL rules refer to)
export const createAddressSet = (
  pool: string,
  set: { addressSetId?: string; name: string; cidrs: string[] },
): CommandRequest => create(path`/pools/${pool}/address-sets`, 'addressSetId', set);
export const updateAddressSet = (pool: string, set: string, cidrs: string[]): CommandRequest => ({
  method: 'PUT',
  path: path`/pools/${pool}/address-sets/${set}`,
  body: { cidrs },
});
export const deleteAddressSet = (pool: string, set: string): CommandRequest => ({
  method: 'DELETE',
  path: path`/pools/${pool}/address-sets/${set}`,
});
export const createSecurityGroup = (
  pool: string,
  group: { groupId?: string; name: string; defaultPolicy?: AclDefaultPolicy },
): CommandRequest => create(path`/pools/${pool}/security-groups`, 'groupId', group);
export const setSecurityGroupPolicy = (
  pool: string,
  group: string,
  defaultPolicy: AclDefaultPolicy,
): CommandRequest => ({
  method: 'PUT',
  path: path`/pools/${pool}/security-groups/${group}`,
  body: { defaultPolicy },
});
export const addSecurityGroupMember = (
  pool: string,
  group: string,
  vif: string,
): CommandRequest => ({
  method: 'PUT',
  path: path`/pools/${pool}/security-groups/${group}/members/${vif}`,
});
export const removeSecurityGroupMember = (
  pool: string,
  group: string,
  vif: string,
): CommandRequest => ({
  method: 'DELETE',
  path: path`/pools/${pool}/security-groups/${group}/members/${vif}`,
});
export const deleteSecurityGroup = (pool: string, group: string): CommandRequest => ({
  method: 'DELETE',
  path: path`/pools/${pool}/security-groups/${group}`,
});

// Mirrors
export const createMirror = (
  pool: string,
  mirror: { mirrorId?: string; source: Scope; direction: string; destinationVifId: string },
): CommandRequest => create(path`/pools/${pool}/mirrors`, 'mirrorId', mirror);
export const deleteMirror = (pool: string, mirror: string): CommandRequest => ({
  method: 'DELETE',
  path: path`/pools/${pool}/mirrors/${mirror}`,
});
