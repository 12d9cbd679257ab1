import type {
  AddSecurityGroupMember,
  CreateSecurityGroup,
  DeleteSecurityGroup,
  RemoveSecurityGroupMember,
  SetSecurityGroupPolicy,
} from '../pool.commands.js';
import { poolError } from '../pool.errors.js';
import { poolEvent, type PoolEvent } from '../pool.events.js';
import { nameKey, scopeKey, type PoolState } from '../pool.state.js';
import { ACL_DEFAULT_POLICIES, type SecurityGroup } from '../pool.types.js';
import { requireName, requireOneOf } from '../pool.validation.js';
import { detachPolicies } from './cascade.js';
import { getSecurityGroup, getVif, requireNewId, sample } from './lookups.js';
import { mirrorLoop } from './mirrors.decide.js';

/** Security group names are unique in the pool regardless of case, as network names. */
const requireFreeName = (state: PoolState, name: string): void => {
  const holder = state.indexes.securityGroupByName.get(nameKey(name));
  if (holder !== undefined) {
    throw poolError(
      'SECURITY_GROUP_NAME_IN_USE',
      `security group ${holder} is already named ${name}`,
      { groupId: holder },
    );
  }
};

const isMember = (state: PoolState, group: SecurityGroup, vifId: string): boolean =>
  state.indexes.groupsByVif.get(vifId)?.has(group.id) ?? false;

/** Without `defaultPolicy` a group denies what its rules do not allow, as security groups do. */
export const createSecurityGroup = (
  { data }: CreateSecurityGroup,
  state: PoolState,
): PoolEvent[] => {
  const groupId = requireNewId('SECURITY_GROUP', state.securityGroups, 'groupId', data.groupId);
  const name = requireName('name', data.name);
  const defaultPolicy =
    data.defaultPolicy === undefined
      ? 'deny'
      : requireOneOf('defaultPolicy', data.defaultPolicy, ACL_DEFAULT_POLICIES);
  requireFreeName(state, name);
  return [poolEvent('SecurityGroupCreated', { groupId, name, defaultPolicy })];
};

export const setSecurityGroupPolicy = (
  { data }: SetSecurityGroupPolicy,
  state: PoolState,
): PoolEvent[] => {
  const group = getSecurityGroup(state, data.groupId);
  const defaultPolicy = requireOneOf('defaultPolicy', data.defaultPolicy, ACL_DEFAULT_POLICIES);
  return defaultPolicy === group.defaultPolicy
    ? []
    : [poolEvent('SecurityGroupPolicyChanged', { groupId: group.id, defaultPolicy })];
};

/** A VIF that receives a mirror of the group cannot join it: it would mirror its own copies. */
export const addSecurityGroupMember = (
  { data }: AddSecurityGroupMember,
  state: PoolState,
): PoolEvent[] => {
  const group = getSecurityGroup(state, data.groupId);
  const vif = getVif(state, data.vifId);
  if (isMember(state, group, vif.id)) {
    throw poolError(
      'SECURITY_GROUP_MEMBER_EXISTS',
      `VIF ${vif.id} is already a member of security group ${group.name}`,
      { groupId: group.id, vifId: vif.id },
    );
  }
  for (const mirrorId of state.indexes.mirrorsByScope.get(
    scopeKey({ kind: 'group', groupId: group.id }),
  ) ?? []) {
    if (state.mirrors.get(mirrorId)?.destinationVifId === vif.id)
      throw mirrorLoop(vif.id, mirrorId);
  }
  return [poolEvent('SecurityGroupMemberAdded', { groupId: group.id, vifId: vif.id })];
};

export const removeSecurityGroupMember = (
  { data }: RemoveSecurityGroupMember,
  state: PoolState,
): PoolEvent[] => {
  const group = getSecurityGroup(state, data.groupId);
  const vifId = typeof data.vifId === 'string' ? data.vifId : String(data.vifId);
  if (!isMember(state, group, vifId)) {
    throw poolError(
      'SECURITY_GROUP_MEMBER_NOT_FOUND',
      `VIF ${vifId} is not a member of security group ${group.name}`,
      { groupId: group.id, vifId },
    );
  }
  return [poolEvent('SecurityGroupMemberRemoved', { groupId: group.id, vifId })];
};

/**
 * The rules scoped to the group (its own rules, which may name it as remote) and the mirrors
 * watching it go with it, then each member leaves, each as an event of its own. Refused while
 * a rule elsewhere names the group as remote: deleting it would change what that rule matches.
 */
export const deleteSecurityGroup = (
  { data }: DeleteSecurityGroup,
  state: PoolState,
): PoolEvent[] => {
  const group = getSecurityGroup(state, data.groupId);
  const outside = [...(state.indexes.aclRulesByRemoteGroup.get(group.id) ?? [])].filter((id) => {
    const scope = state.aclRules.get(id)?.scope;
    return !(scope?.kind === 'group' && scope.groupId === group.id);
  });
  if (outside.length > 0) {
    throw poolError(
      'SECURITY_GROUP_IN_USE',
      `security group ${group.name} is the remote of ${outside.length} ACL rule(s) of other scopes; delete them first`,
      { groupId: group.id, ruleCount: outside.length, ruleIds: sample(outside) },
    );
  }
  return [
    ...detachPolicies(state, { kind: 'group', groupId: group.id }, new Set()),
    ...group.vifIds.map((vifId) =>
      poolEvent('SecurityGroupMemberRemoved', { groupId: group.id, vifId }),
    ),
    poolEvent('SecurityGroupDeleted', { groupId: group.id }),
  ];
};
