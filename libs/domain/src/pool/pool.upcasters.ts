import type { StoredEvent } from '../core/event.js';
import {
  POOL_EVENT_SCHEMA_VERSIONS,
  type PoolEvent,
  type PoolEventOf,
  type PoolEventType,
} from './pool.events.js';
import type {
  AclRuleCreatedV1,
  AclRuleCreatedV2,
  AclRuleCreatedV3,
  HostInterfaceConfiguredV1,
  MigrationActivatedV1,
  MigrationPreparedV1,
  MigrationRequestedV1,
  VifCreatedV1,
  VifUpdatedV1,
} from './pool.events.v1.js';
import { RENAMED_ACL_DIRECTIONS, type AddressPair } from './pool.types.js';

/*
 * Stored events come back at the schema version they were written with; readers only ever see
 * the current shapes. To change a shape: freeze the old one as `XxxV1` in pool.events.v1.ts,
 * bump its entry in POOL_EVENT_SCHEMA_VERSIONS, and add a step here from version n to n + 1,
 * with a fixture test. Type strings never change.
 */

/** Turns the data of version n into the data of version n + 1. */
export type UpcastStep = (data: unknown) => unknown;

export class UpcastError extends Error {
  override readonly name = 'UpcastError';
}

/**
 * An upcaster over `versions` (type → current schema version) and `steps`
 * (type → n → step from n to n + 1). Throws on an unknown type or version.
 */
export const createUpcaster =
  <E extends { type: string }>(
    versions: Readonly<Record<string, number>>,
    steps: Readonly<Record<string, Readonly<Record<number, UpcastStep>>>>,
  ) =>
  (stored: StoredEvent): E => {
    const { type } = stored;
    if (!Object.hasOwn(versions, type)) throw new UpcastError(`unknown event type ${type}`);
    const current = versions[type] ?? 0;
    let { schemaVersion: version, data } = stored;
    if (!Number.isInteger(version) || version < 1 || version > current) {
      throw new UpcastError(`${type} has unknown schema version ${version}`);
    }
    for (; version < current; version++) {
      const step = steps[type]?.[version];
      if (step === undefined) throw new UpcastError(`no upcaster for ${type} v${version}`);
      data = step(data);
    }
    return { type, schemaVersion: current, data } as unknown as E;
  };

/**
 * AclRuleCreated v1 → v2: `reject` never rejected (every datapath installed it as a silent drop,
 * having no controller to build a TCP reset or ICMP unreachable), so a v1 `reject` rule reads as
 * the `drop` it always was; new `reject` rules are refused (ACL_REJECT_UNSUPPORTED). v1 rules
 * were all stateless in effect, but they read as stateful (`stateless: false`), the default
 * that keeps the replies of a VM's own connections flowing under a "deny inbound" rule.
 */
const aclRuleCreatedV2 = (data: unknown): AclRuleCreatedV2['data'] => {
  const v1 = data as AclRuleCreatedV1['data'];
  return { ...v1, action: v1.action === 'reject' ? 'drop' : v1.action, stateless: false };
};

/** AclRuleCreated v2 → v3: a v2 rule's remote was its CIDR or any, never a set or group. */
const aclRuleCreatedV3 = (data: unknown): AclRuleCreatedV3['data'] => {
  const v2 = data as AclRuleCreatedV2['data'];
  return { ...v2, match: { ...v2.match, addressSetId: null, remoteGroupId: null } };
};

/**
 * AclRuleCreated v3 → v4: the same direction in the VM's words. Up to v3, `ingress` was what
 * the VM sends (into the switch) and `egress` what is delivered to it; a stored rule keeps the
 * traffic it always matched.
 */
const aclRuleCreatedV4 = (data: unknown): PoolEventOf<'AclRuleCreated'>['data'] => {
  const v3 = data as AclRuleCreatedV3['data'];
  return { ...v3, direction: RENAMED_ACL_DIRECTIONS[v3.direction] };
};

/**
 * VifCreated and VifUpdated v1 → v2: a v1 VIF had at most one address per family and no
 * address pairs, so it reads with none further.
 */
const vifAddressesV2 = <T extends object>(data: unknown) => ({
  ...(data as T),
  extraIps: [] as string[],
  allowedPairs: [] as AddressPair[],
});

/**
 * MigrationRequested v1 → v2: before PRIVATE_NETWORK_PEERS a request said nothing about the
 * VM's private-network peers, so it reads as not accepting isolation (what it would be refused
 * without now).
 */
const migrationRequestedV2 = (data: unknown): PoolEventOf<'MigrationRequested'>['data'] => ({
  ...(data as MigrationRequestedV1['data']),
  acceptIsolation: false,
});

/** MigrationPrepared v1 → v2: before v2 only the coordinator activated a migration. */
const migrationPreparedV2 = (data: unknown): PoolEventOf<'MigrationPrepared'>['data'] => ({
  ...(data as MigrationPreparedV1['data']),
  activation: 'coordinator',
});

/** MigrationActivated v1 → v2: the coordinator activated it, and no announcement was seen. */
const migrationActivatedV2 = (data: unknown): PoolEventOf<'MigrationActivated'>['data'] => ({
  ...(data as MigrationActivatedV1['data']),
  activatedBy: 'coordinator',
  announcedAt: null,
});

/** HostInterfaceConfigured v1 → v2: an interface configured before `replaces` replaced none. */
const hostInterfaceConfiguredV2 = (
  data: unknown,
): PoolEventOf<'HostInterfaceConfigured'>['data'] => ({
  ...(data as HostInterfaceConfiguredV1['data']),
  replaces: null,
});

/** `POOL_UPCASTS[type][n]` turns version n data into version n + 1. */
const POOL_UPCASTS: Partial<Record<PoolEventType, Record<number, UpcastStep>>> = {
  AclRuleCreated: { 1: aclRuleCreatedV2, 2: aclRuleCreatedV3, 3: aclRuleCreatedV4 },
  HostInterfaceConfigured: { 1: hostInterfaceConfiguredV2 },
  MigrationRequested: { 1: migrationRequestedV2 },
  MigrationPrepared: { 1: migrationPreparedV2 },
  MigrationActivated: { 1: migrationActivatedV2 },
  VifCreated: { 1: (data) => vifAddressesV2<VifCreatedV1['data']>(data) },
  VifUpdated: { 1: (data) => vifAddressesV2<VifUpdatedV1['data']>(data) },
};

/** Brings a stored pool event to the current schema version of its type. */
export const upcastPoolEvent: (stored: StoredEvent) => PoolEvent = createUpcaster<PoolEvent>(
  POOL_EVENT_SCHEMA_VERSIONS,
  POOL_UPCASTS,
);
