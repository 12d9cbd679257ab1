import type { Event } from '../core/event.js';
import type { AclDirection, AclMatch, Qos, Scope } from './pool.types.js';

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

/** VifCreated as written before VIFs had several addresses and address pairs (frozen). */
export type VifCreatedV1 = Event<
  'VifCreated',
  {
    vifId: string;
    vmId: string;
    device: number;
    networkId: string;
    mac: string;
    macGenerated: boolean;
    ipv4: string | null;
    ipv6: string | null;
    qos: Qos | null;
    portSecurity: boolean;
  },
  1
>;

/** VifUpdated as written before VIFs had several addresses and address pairs (frozen). */
export type VifUpdatedV1 = Event<
  'VifUpdated',
  {
    vifId: string;
    ipv4: string | null;
    ipv6: string | null;
    qos: Qos | null;
    portSecurity: boolean;
  },
  1
>;
