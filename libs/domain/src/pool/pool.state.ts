import type {
  AclRule,
  AddressSet,
  Bond,
  Host,
  Migration,
  Mirror,
  Network,
  Scope,
  SecurityGroup,
  Vif,
  Vm,
} from './pool.types.js';

/**
 * Lookups the rules need in O(1). They are derived from the entities, maintained by evolve
 * (pool.indexes.ts) and rebuilt, never stored, when a snapshot is loaded.
 */
export interface PoolIndexes {
  /** lower-case network name → network id */
  networkByName: Map<string, string>;
  /** uplinkKey(device, vlan) → network id */
  networkByUplink: Map<string, string>;
  /** device → ids of the external networks on it */
  networksByDevice: Map<string, Set<string>>;
  /** hostKey(host, device) → id of the bond with that device */
  bondByDevice: Map<string, string>;
  /** hostKey(host, member device) → id of the bond it belongs to */
  bondByMember: Map<string, string>;
  /** device → hosts where it is a bond member */
  bondMemberHosts: Map<string, Set<string>>;
  vifByMac: Map<string, string>;
  /** ipKey(network, ip) → vif id */
  vifByIp: Map<string, string>;
  vifsByNetwork: Map<string, Set<string>>;
  /** vm → VIF device number → vif id */
  vifsByVm: Map<string, Map<number, string>>;
  runningVmsByHost: Map<string, Set<string>>;
  /** vm → its active migration */
  migrationByVm: Map<string, string>;
  /** aclSlotKey(scope, direction, priority) → rule ids */
  aclRulesBySlot: Map<string, Set<string>>;
  /** scopeKey(scope) → rule ids */
  aclRulesByScope: Map<string, Set<string>>;
  /** scopeKey(scope) → mirrors whose source or destination it is */
  mirrorsByScope: Map<string, Set<string>>;
  /** address set → rules naming it as their remote */
  aclRulesByAddressSet: Map<string, Set<string>>;
  /** security group → rules naming it as their remote */
  aclRulesByRemoteGroup: Map<string, Set<string>>;
  /** lower-case address set name → address set id */
  addressSetByName: Map<string, string>;
  /** lower-case security group name → group id */
  securityGroupByName: Map<string, string>;
  /** vif → the security groups it is a member of */
  groupsByVif: Map<string, Set<string>>;
}

/**
 * One pool's decider state. Entities are keyed by id in Maps. `evolve` updates this object in
 * place (see pool.evolve.ts); `decide` only reads it.
 */
export interface PoolState {
  status: 'Empty' | 'Active';
  id: string;
  name: string;
  createdAt: string;
  /** The next generated-MAC counter; only ever grows, so a generated MAC is never reused. */
  macSequence: number;
  /**
   * The highest VNI any overlay network was ever given; only ever grows, so a VNI is never
   * reused, even after its network is destroyed (a late frame of the old network would
   * otherwise land in the new one).
   */
  vniHighWater: number;
  hosts: Map<string, Host>;
  bonds: Map<string, Bond>;
  networks: Map<string, Network>;
  vms: Map<string, Vm>;
  vifs: Map<string, Vif>;
  aclRules: Map<string, AclRule>;
  mirrors: Map<string, Mirror>;
  migrations: Map<string, Migration>;
  addressSets: Map<string, AddressSet>;
  securityGroups: Map<string, SecurityGroup>;
  indexes: PoolIndexes;
}

const emptyIndexes = (): PoolIndexes => ({
  networkByName: new Map(),
  networkByUplink: new Map(),
  networksByDevice: new Map(),
  bondByDevice: new Map(),
  bondByMember: new Map(),
  bondMemberHosts: new Map(),
  vifByMac: new Map(),
  vifByIp: new Map(),
  vifsByNetwork: new Map(),
  vifsByVm: new Map(),
  runningVmsByHost: new Map(),
  migrationByVm: new Map(),
  aclRulesBySlot: new Map(),
  aclRulesByScope: new Map(),
  mirrorsByScope: new Map(),
  aclRulesByAddressSet: new Map(),
  aclRulesByRemoteGroup: new Map(),
  addressSetByName: new Map(),
  securityGroupByName: new Map(),
  groupsByVif: new Map(),
});

export const initialPoolState = (): PoolState => ({
  status: 'Empty',
  id: '',
  name: '',
  createdAt: '',
  macSequence: 0,
  vniHighWater: 0,
  hosts: new Map(),
  bonds: new Map(),
  networks: new Map(),
  vms: new Map(),
  vifs: new Map(),
  aclRules: new Map(),
  mirrors: new Map(),
  migrations: new Map(),
  addressSets: new Map(),
  securityGroups: new Map(),
  indexes: emptyIndexes(),
});

// Ids and devices never contain '/' or ' ' (see pool.validation.ts), so these keys are unambiguous.
export const hostKey = (hostId: string, device: string): string => `${hostId}/${device}`;
export const uplinkKey = (device: string, vlan: number | null): string =>
  `${device}/${vlan ?? 'untagged'}`;
export const ipKey = (networkId: string, ip: string): string => `${networkId} ${ip}`;
/**
 * What makes names of networks, address sets and security groups the same, unique per kind:
 * compatibility forms (NFKC: a fullwidth `ｐｒｏｄ`, a ligature `ﬁ`), case (upper then lower case,
 * so `ß` meets `SS` as full case folding does) and invisible code points (zero-width space,
 * joiners, soft hyphen: new names refuse them, names from older events may hold them) are
 * disregarded, so a look-alike spelling collides with the name it imitates.
 */
export const nameKey = (name: string): string =>
  name
    .normalize('NFKC')
    .toUpperCase()
    .toLowerCase()
    .normalize('NFKC')
    .replace(/\p{Default_Ignorable_Code_Point}/gu, '');

/*
 * Names in events recorded before the key grew may share a key (`prod` and `ｐｒｏｄ`); the index
 * then names the smallest of their ids, whatever order they were added in, so replaying events
 * and loading a snapshot agree, and the key stays taken while any of them stands.
 */

/** Indexes `name` for `id`, unless an entity with a smaller id holds the same key. */
export const holdName = (index: Map<string, string>, name: string, id: string): void => {
  const key = nameKey(name);
  const holder = index.get(key);
  if (holder === undefined || id < holder) index.set(key, id);
};

/** Frees `name` held by `id`, or hands it to another of `entities` whose name shares the key. */
export const releaseName = (
  index: Map<string, string>,
  entities: ReadonlyMap<string, { readonly name: string }>,
  name: string,
  id: string,
): void => {
  const key = nameKey(name);
  if (index.get(key) !== id) return;
  index.delete(key);
  for (const [otherId, other] of entities) {
    if (otherId !== id && nameKey(other.name) === key) holdName(index, other.name, otherId);
  }
};

export const scopeKey = (scope: Scope): string => {
  switch (scope.kind) {
    case 'network':
      return `network/${scope.networkId}`;
    case 'vif':
      return `vif/${scope.vifId}`;
    case 'group':
      return `group/${scope.groupId}`;
  }
};
export const aclSlotKey = (scope: Scope, direction: string, priority: number): string =>
  `${scopeKey(scope)}/${direction}/${priority}`;
