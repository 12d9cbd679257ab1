import type { Event } from '../core/event.js';
import type { AclAction, AclMatch, AclProtocol, HostInterface, Qos, Scope } from './pool.types.js';

/** A rule's direction before v4, seen from the switch: ingress from the VM, egress to it. */
type AclDirectionV3 = 'ingress' | 'egress';

/** Scope as rules had it before security groups (frozen). */
type ScopeV2 = { kind: 'network'; networkId: string } | { kind: 'vif'; vifId: string };

/** A rule's match before address sets and security groups: one CIDR or any (frozen). */
export interface AclMatchV2 {
  protocol: AclProtocol;
  cidr: string | null;
  portFrom: number | null;
  portTo: number | null;
}

/*
 * Event shapes as earlier versions wrote them, frozen for the upcasters (pool.upcasters.ts):
 * the current shapes live in pool.events.ts.
 */

/** v1 knew `reject` (installed as a silent drop) and had no `stateless` flag. */
export type AclRuleCreatedV1 = Event<
  'AclRuleCreated',
  {
    ruleId: string;
    scope: ScopeV2;
    direction: AclDirectionV3;
    priority: number;
    match: AclMatchV2;
    action: 'allow' | 'drop' | 'reject';
  },
  1
>;

/** v2 had no address sets or security groups: a match's remote was one CIDR or any. */
export type AclRuleCreatedV2 = Event<
  'AclRuleCreated',
  {
    ruleId: string;
    scope: ScopeV2;
    direction: AclDirectionV3;
    priority: number;
    match: AclMatchV2;
    action: AclAction;
    stateless: boolean;
  },
  2
>;

/** v3 had the direction in the old words (see AclDirectionV3). */
export type AclRuleCreatedV3 = Event<
  'AclRuleCreated',
  {
    ruleId: string;
    scope: Scope;
    direction: AclDirectionV3;
    priority: number;
    match: AclMatch;
    action: AclAction;
    stateless: boolean;
  },
  3
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

/** MigrationRequested as written before a request could accept leaving private peers (frozen). */
export type MigrationRequestedV1 = Event<
  'MigrationRequested',
  { migrationId: string; vmId: string; fromHostId: string; toHostId: string; requestedAt: string },
  1
>;

/** HostInterfaceConfigured as written before an interface could replace another (frozen). */
export type HostInterfaceConfiguredV1 = Event<
  'HostInterfaceConfigured',
  { hostId: string; interface: HostInterface },
  1
>;

/** MigrationPrepared as written before a migration could be activated by the VM (frozen). */
export type MigrationPreparedV1 = Event<
  'MigrationPrepared',
  { migrationId: string; vmId: string },
  1
>;

/** MigrationActivated as written before the datapath could activate a migration (frozen). */
export type MigrationActivatedV1 = Event<
  'MigrationActivated',
  { migrationId: string; vmId: string },
  1
>;
