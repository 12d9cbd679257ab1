import { poolEvent, type PoolEvent } from '../pool.events.js';
import { scopeKey, type PoolState } from '../pool.state.js';
import type { Scope, Vif } from '../pool.types.js';

/*
 * Destroying a network, a VIF or a security group deletes the ACL rules and mirrors attached
 * to it first, as events of their own, so every reader sees each policy go away explicitly.
 */

/** `seen` collects mirror ids already deleted in this decision (a mirror has two ends). */
export const detachPolicies = (state: PoolState, scope: Scope, seen: Set<string>): PoolEvent[] => {
  const key = scopeKey(scope);
  const events: PoolEvent[] = [];
  for (const ruleId of state.indexes.aclRulesByScope.get(key) ?? []) {
    events.push(poolEvent('AclRuleDeleted', { ruleId }));
  }
  for (const mirrorId of state.indexes.mirrorsByScope.get(key) ?? []) {
    if (seen.has(mirrorId)) continue;
    seen.add(mirrorId);
    events.push(poolEvent('MirrorDeleted', { mirrorId }));
  }
  return events;
};

/** The VIF leaves each of its security groups (in id order) before it is destroyed. */
const leaveGroups = (state: PoolState, vif: Vif): PoolEvent[] =>
  [...(state.indexes.groupsByVif.get(vif.id) ?? [])]
    .sort()
    .map((groupId) => poolEvent('SecurityGroupMemberRemoved', { groupId, vifId: vif.id }));

export const destroyVifEvents = (state: PoolState, vif: Vif, seen: Set<string>): PoolEvent[] => [
  ...detachPolicies(state, { kind: 'vif', vifId: vif.id }, seen),
  ...leaveGroups(state, vif),
  poolEvent('VifDestroyed', {
    vifId: vif.id,
    vmId: vif.vmId,
    networkId: vif.networkId,
    mac: vif.mac,
  }),
];
