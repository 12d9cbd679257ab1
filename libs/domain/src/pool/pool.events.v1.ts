import type { Event } from '../core/event.js';
import type { AclDirection, AclMatch, Scope } from './pool.types.js';

/*
 * Event shapes as version 1 wrote them, frozen for the upcasters (pool.upcasters.ts): the
 * current shapes live in pool.events.ts.
 */

/** v1 knew `reject` (installed as a silent drop) and had no `stateless` flag. */
export type AclRuleCreatedV1 = Event<
  'AclRuleCreated',
  {
    ruleId: string;
    scope: Scope;
    direction: AclDirection;
    priority: number;
    match: AclMatch;
    action: 'allow' | 'drop' | 'reject';
  },
  1
>;
