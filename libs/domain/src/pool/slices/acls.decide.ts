import type { CreateAclRule, DeleteAclRule } from '../pool.commands.js';
import { poolError } from '../pool.errors.js';
import { poolEvent, type PoolEvent } from '../pool.events.js';
import { aclSlotKey, type PoolState } from '../pool.state.js';
import {
  ACL_DIRECTIONS,
  ACL_REQUESTED_ACTIONS,
  RENAMED_ACL_DIRECTIONS,
  isRenamedAclDirection,
  renamedAclDirectionMessage,
  type AclAction,
  type AclDirection,
} from '../pool.types.js';
import { requireBoolean, requireInteger, requireOneOf } from '../pool.validation.js';
import { matchesOverlap, requireMatch, stateSetCidrs } from './acl-match.js';
import { getAclRule, requireNewId, requireScope } from './lookups.js';

/**
 * Two rules on the same scope and direction at the same priority must not both match a
 * packet (OVN and OpenFlow leave their order undefined), so an overlapping rule is refused
 * (see matchesOverlap for remotes that are address sets or security groups).
 */
export const createAclRule = ({ data }: CreateAclRule, state: PoolState): PoolEvent[] => {
  const ruleId = requireNewId('ACL_RULE', state.aclRules, 'ruleId', data.ruleId);
  const scope = requireScope(state, 'scope', data.scope);
  const direction = requireDirection(data.direction);
  const priority = requireInteger('INVALID_PRIORITY', 'priority', data.priority, 0, 32767);
  const match = requireMatch(state, data.match);
  const requested = requireOneOf('action', data.action, ACL_REQUESTED_ACTIONS);
  if (requested === 'reject') {
    throw poolError(
      'ACL_REJECT_UNSUPPORTED',
      'action reject is not supported: no datapath here can answer with a TCP reset or an ICMP ' +
        'unreachable, and a silent drop is not a reject; use action drop',
      { action: 'reject', use: 'drop' },
    );
  }
  const action: AclAction = requested;
  const stateless =
    data.stateless === undefined ? false : requireBoolean('stateless', data.stateless);
  if (stateless && action !== 'allow') {
    throw poolError('INVALID_OPTION', 'stateless applies to allow rules only', {
      field: 'stateless',
    });
  }
  const setCidrs = stateSetCidrs(state);
  for (const otherId of state.indexes.aclRulesBySlot.get(aclSlotKey(scope, direction, priority)) ??
    []) {
    const other = state.aclRules.get(otherId);
    if (other && matchesOverlap(other.match, match, setCidrs)) {
      throw poolError(
        'ACL_RULE_OVERLAP',
        `ACL rule ${other.id} has the same priority ${priority} and an overlapping match`,
        { ruleId: other.id, priority },
      );
    }
  }
  return [
    poolEvent('AclRuleCreated', { ruleId, scope, direction, priority, match, action, stateless }),
  ];
};

/**
 * `ingress` / `egress` meant, here, from / to the VM, the opposite of Neutron's reading: a rule
 * written with either is refused with the mapping, since accepting it would do the opposite of
 * what an OpenStack user means by the same words.
 */
const requireDirection = (value: unknown): AclDirection => {
  if (!isRenamedAclDirection(value)) return requireOneOf('direction', value, ACL_DIRECTIONS);
  throw poolError('ACL_DIRECTION_RENAMED', renamedAclDirectionMessage(value), {
    direction: value,
    use: RENAMED_ACL_DIRECTIONS[value],
  });
};

export const deleteAclRule = ({ data }: DeleteAclRule, state: PoolState): PoolEvent[] => {
  const rule = getAclRule(state, data.ruleId);
  return [poolEvent('AclRuleDeleted', { ruleId: rule.id })];
};
