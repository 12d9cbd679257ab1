import * as groups from './pool.indexes.groups.js';
import * as ix from './pool.indexes.js';
import { initialPoolState, type PoolState } from './pool.state.js';
import {
  RENAMED_ACL_DIRECTIONS,
  type AclRule,
  type AddressSet,
  type Bond,
  type Host,
  type Migration,
  type Mirror,
  type Network,
  type Pif,
  type SecurityGroup,
  type Vif,
  type Vm,
} from './pool.types.js';

/**
 * Tags a snapshot with the shape of the state that wrote it. Change it whenever PoolState or
 * what evolve derives changes: a snapshot with another tag is dropped and the log replayed,
 * unless deserializePoolState still knows how to read it (see upgradeV3 … upgradeV6).
 * 4: address sets, security groups, network default policies, rule remotes.
 * 5: rule directions `from-vm` / `to-vm` (4 and before: `ingress` / `egress`).
 * 6: hosts' tunnel endpoints and the VNI high-water mark (overlay networks).
 * 7: hosts' management and storage interfaces.
 */
export const POOL_STATE_VERSION = 'pool-state/7';
const POOL_STATE_V6 = 'pool-state/6';
const POOL_STATE_V5 = 'pool-state/5';
const POOL_STATE_V4 = 'pool-state/4';
const POOL_STATE_V3 = 'pool-state/3';

/** The stored form: entities only, as plain JSON; indexes are rebuilt on load. */
export interface PoolSnapshot {
  version: typeof POOL_STATE_VERSION;
  status: PoolState['status'];
  id: string;
  name: string;
  createdAt: string;
  macSequence: number;
  vniHighWater: number;
  hosts: (Omit<Host, 'pifs'> & { pifs: Pif[] })[];
  bonds: Bond[];
  networks: Network[];
  vms: Vm[];
  vifs: Vif[];
  aclRules: AclRule[];
  mirrors: Mirror[];
  migrations: Migration[];
  addressSets: AddressSet[];
  securityGroups: SecurityGroup[];
}

/** A deep copy through JSON, so the snapshot shares nothing with the live, mutable state. */
const jsonCopy = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

export const serializePoolState = (state: PoolState): PoolSnapshot =>
  jsonCopy(sharedPoolSnapshot(state));

/**
 * The snapshot of a state its caller never evolves again (a fold made for one read, as the
 * history reads of issue 22 make): it shares the state's entities instead of copying them
 * through JSON, a copy that costs as much as folding a page of events. Read it, never change
 * it, and evolve the state no further.
 */
export const sharedPoolSnapshot = (state: PoolState): PoolSnapshot => ({
  version: POOL_STATE_VERSION,
  status: state.status,
  id: state.id,
  name: state.name,
  createdAt: state.createdAt,
  macSequence: state.macSequence,
  vniHighWater: state.vniHighWater,
  hosts: [...state.hosts.values()].map((host) => ({ ...host, pifs: [...host.pifs.values()] })),
  bonds: [...state.bonds.values()],
  networks: [...state.networks.values()],
  vms: [...state.vms.values()],
  vifs: [...state.vifs.values()],
  aclRules: [...state.aclRules.values()],
  mirrors: [...state.mirrors.values()],
  migrations: [...state.migrations.values()],
  addressSets: [...state.addressSets.values()],
  securityGroups: [...state.securityGroups.values()],
});

type SnapshotFields = Partial<Record<keyof PoolSnapshot, unknown>>;

const list = (value: unknown): object[] => (Array.isArray(value) ? (value as object[]) : []);

/**
 * A pool-state/3 snapshot as a /4 one: it predates address sets and security groups, so every
 * network is `allow` and every rule's remote is its CIDR or any. Hosts keep a snapshot for
 * their restarts, so reading it saves them a replay after an upgrade.
 */
const upgradeV3 = (snapshot: SnapshotFields): SnapshotFields => {
  if (snapshot.version !== POOL_STATE_V3) return snapshot;
  return {
    ...snapshot,
    version: POOL_STATE_V4,
    networks: list(snapshot.networks).map((network) => ({ ...network, aclDefault: 'allow' })),
    aclRules: list(snapshot.aclRules).map((rule) => {
      const { match } = rule as { match: object };
      return { ...rule, match: { ...match, addressSetId: null, remoteGroupId: null } };
    }),
    addressSets: [],
    securityGroups: [],
  };
};

/** A pool-state/4 snapshot as a /5 one: each rule's direction in the VM's words (as upcast). */
const upgradeV4 = (snapshot: SnapshotFields): SnapshotFields => {
  if (snapshot.version !== POOL_STATE_V4) return snapshot;
  return {
    ...snapshot,
    version: POOL_STATE_V5,
    aclRules: list(snapshot.aclRules).map((rule) => {
      const { direction } = rule as { direction: keyof typeof RENAMED_ACL_DIRECTIONS };
      return { ...rule, direction: RENAMED_ACL_DIRECTIONS[direction] };
    }),
  };
};

/**
 * A pool-state/5 snapshot as a /6 one: it predates overlay networks, so no host has a tunnel
 * endpoint and no VNI was ever given.
 */
const upgradeV5 = (snapshot: SnapshotFields): SnapshotFields => {
  if (snapshot.version !== POOL_STATE_V5) return snapshot;
  return {
    ...snapshot,
    version: POOL_STATE_V6,
    vniHighWater: 0,
    hosts: list(snapshot.hosts).map((host) => ({ ...host, tunnel: null })),
  };
};

/** A pool-state/6 snapshot as a /7 one: it predates host interfaces, so no host has any. */
const upgradeV6 = (snapshot: SnapshotFields): SnapshotFields => {
  if (snapshot.version !== POOL_STATE_V6) return snapshot;
  return {
    ...snapshot,
    version: POOL_STATE_VERSION,
    hosts: list(snapshot.hosts).map((host) => ({ ...host, interfaces: [] })),
  };
};

const isSnapshot = (json: unknown): json is PoolSnapshot => {
  if (typeof json !== 'object' || json === null) return false;
  const snapshot = json as SnapshotFields;
  const lists = [
    snapshot.hosts,
    snapshot.bonds,
    snapshot.networks,
    snapshot.vms,
    snapshot.vifs,
    snapshot.aclRules,
    snapshot.mirrors,
    snapshot.migrations,
    snapshot.addressSets,
    snapshot.securityGroups,
  ];
  return (
    snapshot.version === POOL_STATE_VERSION &&
    typeof snapshot.vniHighWater === 'number' &&
    lists.every(Array.isArray)
  );
};

/**
 * Rebuilds a state and its indexes; throws on a snapshot of another version or shape.
 * `owned`: the caller parsed `stored` for this call alone (a snapshot row just read), so the
 * state may keep its objects instead of copying them first; a copy of a 10 MB snapshot is a
 * third of the time of reading one (the history reads of issue 22).
 */
export const deserializePoolState = (stored: unknown, { owned = false } = {}): PoolState => {
  const json =
    typeof stored === 'object' && stored !== null
      ? upgradeV6(upgradeV5(upgradeV4(upgradeV3(stored))))
      : stored;
  if (!isSnapshot(json)) {
    throw new Error(`not a ${POOL_STATE_VERSION} pool snapshot; replay the stream instead`);
  }
  const snapshot = owned ? json : jsonCopy(json);
  const state = initialPoolState();
  state.status = snapshot.status;
  state.id = snapshot.id;
  state.name = snapshot.name;
  state.createdAt = snapshot.createdAt;
  state.macSequence = snapshot.macSequence;
  state.vniHighWater = snapshot.vniHighWater;
  for (const host of snapshot.hosts) {
    ix.putHost(state, { ...host, pifs: new Map(host.pifs.map((pif) => [pif.device, pif])) });
  }
  for (const bond of snapshot.bonds) ix.putBond(state, bond);
  for (const network of snapshot.networks) ix.putNetwork(state, network);
  for (const vm of snapshot.vms) ix.putVm(state, vm);
  for (const vif of snapshot.vifs) ix.putVif(state, vif);
  for (const rule of snapshot.aclRules) ix.putAclRule(state, rule);
  for (const mirror of snapshot.mirrors) ix.putMirror(state, mirror);
  for (const migration of snapshot.migrations) ix.putMigration(state, migration);
  for (const set of snapshot.addressSets) groups.putAddressSet(state, set);
  for (const group of snapshot.securityGroups) groups.putSecurityGroup(state, group);
  return state;
};
