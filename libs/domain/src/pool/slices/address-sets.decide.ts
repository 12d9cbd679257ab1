import type { CreateAddressSet, DeleteAddressSet, UpdateAddressSet } from '../pool.commands.js';
import { poolError } from '../pool.errors.js';
import { poolEvent, type PoolEvent } from '../pool.events.js';
import { aclSlotKey, nameKey, type PoolState } from '../pool.state.js';
import type { AclRule } from '../pool.types.js';
import { requireName, requireSetCidrs } from '../pool.validation.js';
import { matchesOverlap, stateSetCidrs, type AddressSetCidrs } from './acl-match.js';
import { getAddressSet, requireNewId, sample } from './lookups.js';

/** Address set names are unique in the pool regardless of case, as network names. */
const requireFreeName = (state: PoolState, name: string): void => {
  const holder = state.indexes.addressSetByName.get(nameKey(name));
  if (holder !== undefined) {
    throw poolError('ADDRESS_SET_NAME_IN_USE', `address set ${holder} is already named ${name}`, {
      addressSetId: holder,
    });
  }
};

export const createAddressSet = ({ data }: CreateAddressSet, state: PoolState): PoolEvent[] => {
  const addressSetId = requireNewId(
    'ADDRESS_SET',
    state.addressSets,
    'addressSetId',
    data.addressSetId,
  );
  const name = requireName('name', data.name);
  const cidrs = requireSetCidrs('cidrs', data.cidrs);
  requireFreeName(state, name);
  return [poolEvent('AddressSetCreated', { addressSetId, name, cidrs })];
};

const namingRules = (state: PoolState, addressSetId: string): AclRule[] =>
  [...(state.indexes.aclRulesByAddressSet.get(addressSetId) ?? [])].flatMap((id) => {
    const rule = state.aclRules.get(id);
    return rule ? [rule] : [];
  });

/**
 * The rules naming the set must still not overlap the rules of their slot once it holds its
 * new content (the overlap refusal of CreateAclRule, kept true over time).
 */
const requireNoOverlap = (state: PoolState, addressSetId: string, cidrs: string[]): void => {
  const current = stateSetCidrs(state);
  const updated: AddressSetCidrs = (id) => (id === addressSetId ? cidrs : current(id));
  for (const rule of namingRules(state, addressSetId)) {
    const slot = aclSlotKey(rule.scope, rule.direction, rule.priority);
    for (const otherId of state.indexes.aclRulesBySlot.get(slot) ?? []) {
      const other = state.aclRules.get(otherId);
      if (!other || other.id === rule.id || !matchesOverlap(rule.match, other.match, updated)) {
        continue;
      }
      throw poolError(
        'ACL_RULE_OVERLAP',
        `with this content, ACL rule ${rule.id} would overlap ACL rule ${other.id} of the same priority ${rule.priority}`,
        { ruleId: other.id, ruleIds: [rule.id, other.id].sort(), priority: rule.priority },
      );
    }
  }
};

/** Replaces the whole content; the same content again changes nothing. */
export const updateAddressSet = ({ data }: UpdateAddressSet, state: PoolState): PoolEvent[] => {
  const set = getAddressSet(state, data.addressSetId);
  const cidrs = requireSetCidrs('cidrs', data.cidrs);
  if (cidrs.length === set.cidrs.length && cidrs.every((cidr, i) => cidr === set.cidrs[i])) {
    return [];
  }
  requireNoOverlap(state, set.id, cidrs);
  return [poolEvent('AddressSetUpdated', { addressSetId: set.id, cidrs })];
};

/** Refused while a rule names it: deleting it would silently change what the rule matches. */
export const deleteAddressSet = ({ data }: DeleteAddressSet, state: PoolState): PoolEvent[] => {
  const set = getAddressSet(state, data.addressSetId);
  const rules = state.indexes.aclRulesByAddressSet.get(set.id);
  if (rules !== undefined && rules.size > 0) {
    throw poolError(
      'ADDRESS_SET_IN_USE',
      `address set ${set.name} is named by ${rules.size} ACL rule(s); delete them first`,
      { addressSetId: set.id, ruleCount: rules.size, ruleIds: sample(rules) },
    );
  }
  return [poolEvent('AddressSetDeleted', { addressSetId: set.id })];
};
