import { alreadyExists, notFound } from '../pool.errors.js';
import type { PoolState } from '../pool.state.js';
import type {
  AclRule,
  AddressSet,
  Bond,
  Host,
  Migration,
  Mirror,
  Network,
  Pif,
  Scope,
  SecurityGroup,
  Vif,
  Vm,
} from '../pool.types.js';
import { requireId, requireOneOf } from '../pool.validation.js';

type Entity = Parameters<typeof alreadyExists>[0];

const lookup = <T>(map: ReadonlyMap<string, T>, entity: Entity, id: unknown): T => {
  const found = typeof id === 'string' ? map.get(id) : undefined;
  if (found === undefined) throw notFound(entity, String(id));
  return found;
};

export const getHost = (state: PoolState, id: unknown): Host => lookup(state.hosts, 'HOST', id);
export const getBond = (state: PoolState, id: unknown): Bond => lookup(state.bonds, 'BOND', id);
export const getNetwork = (state: PoolState, id: unknown): Network =>
  lookup(state.networks, 'NETWORK', id);
export const getVm = (state: PoolState, id: unknown): Vm => lookup(state.vms, 'VM', id);
export const getVif = (state: PoolState, id: unknown): Vif => lookup(state.vifs, 'VIF', id);
export const getAclRule = (state: PoolState, id: unknown): AclRule =>
  lookup(state.aclRules, 'ACL_RULE', id);
export const getMirror = (state: PoolState, id: unknown): Mirror =>
  lookup(state.mirrors, 'MIRROR', id);
export const getMigration = (state: PoolState, id: unknown): Migration =>
  lookup(state.migrations, 'MIGRATION', id);
export const getAddressSet = (state: PoolState, id: unknown): AddressSet =>
  lookup(state.addressSets, 'ADDRESS_SET', id);
export const getSecurityGroup = (state: PoolState, id: unknown): SecurityGroup =>
  lookup(state.securityGroups, 'SECURITY_GROUP', id);

export const getPif = (host: Host, device: unknown): Pif => {
  const pif = typeof device === 'string' ? host.pifs.get(device) : undefined;
  if (pif === undefined) throw notFound('PIF', `${String(device)} on host ${host.id}`);
  return pif;
};

/** A valid id that no live object of that kind holds yet. */
export const requireNewId = (
  entity: Entity,
  map: ReadonlyMap<string, unknown>,
  field: string,
  value: unknown,
): string => {
  const id = requireId(field, value);
  if (map.has(id)) throw alreadyExists(entity, id);
  return id;
};

/** An existing network, VIF or security group, as a fresh Scope object. */
export const requireScope = (state: PoolState, field: string, value: unknown): Scope => {
  const scope = (typeof value === 'object' && value !== null ? value : {}) as Partial<
    Record<'kind' | 'networkId' | 'vifId' | 'groupId', unknown>
  >;
  const kind = requireOneOf(`${field}.kind`, scope.kind, ['network', 'vif', 'group'] as const);
  switch (kind) {
    case 'network':
      return { kind, networkId: getNetwork(state, scope.networkId).id };
    case 'vif':
      return { kind, vifId: getVif(state, scope.vifId).id };
    case 'group':
      return { kind, groupId: getSecurityGroup(state, scope.groupId).id };
  }
};

/** The VM's active migration, if any. */
export const activeMigration = (state: PoolState, vmId: string): Migration | undefined => {
  const id = state.indexes.migrationByVm.get(vmId);
  return id === undefined ? undefined : state.migrations.get(id);
};

/** At most `limit` items, so error details stay small in a pool of 10,000 VIFs. */
export const sample = <T>(items: Iterable<T>, limit = 20): T[] => {
  const out: T[] = [];
  for (const item of items) {
    if (out.length === limit) break;
    out.push(item);
  }
  return out;
};
