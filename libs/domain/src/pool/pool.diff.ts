import { type PoolSnapshot } from './pool.snapshot.js';

/**
 * The difference between two configurations of a pool (issue 22): the objects added, changed
 * and removed, per kind, each change down to the fields. Computed on the serialized states
 * (plain JSON), so it compares what the log says, not how the state happens to be held.
 */
export const POOL_OBJECT_KINDS = [
  'pool',
  'hosts',
  'bonds',
  'networks',
  'vms',
  'vifs',
  'aclRules',
  'mirrors',
  'migrations',
  'addressSets',
  'securityGroups',
] as const;
export type PoolObjectKind = (typeof POOL_OBJECT_KINDS)[number];

export interface FieldChange {
  /** Dotted path into the object, e.g. `name`, `pifs.eth1.mtu`, `match.cidr`. */
  field: string;
  /** Absent when the field did not exist before (`to` absent: it no longer exists). */
  from?: unknown;
  to?: unknown;
}

export interface ObjectChange {
  kind: PoolObjectKind;
  id: string;
  change: 'added' | 'changed' | 'removed';
  /** The fields that differ; for an added or removed object, every field it has. */
  fields: FieldChange[];
}

type Json = unknown;
type Keyed = Map<string, Record<string, Json>>;

/**
 * The pool's own fields: what is not a list of objects. Not `macSequence`: the generated-MAC
 * counter only grows (a MAC is never handed out twice), it is no one's configuration.
 */
const poolFields = (s: PoolSnapshot): Record<string, Json> => ({
  status: s.status,
  name: s.name,
  createdAt: s.createdAt,
});

/** Objects by id; a host's PIFs keyed by device, so a changed PIF is a field, not a new list. */
function objectsOf(s: PoolSnapshot, kind: PoolObjectKind): Keyed {
  if (kind === 'pool') {
    return new Map(s.status === 'Empty' ? [] : [[s.id, poolFields(s)]]);
  }
  const list = s[kind] as unknown as { id: string }[];
  return new Map(
    list.map((object) => {
      const copy = { ...object } as Record<string, Json>;
      if (kind === 'hosts') {
        const pifs = copy.pifs as { device: string }[];
        copy.pifs = Object.fromEntries(pifs.map((pif) => [pif.device, pif]));
      }
      return [object.id, copy];
    }),
  );
}

const isPlainObject = (v: Json): v is Record<string, Json> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Deep equality of JSON values (arrays in order: the state keeps its lists sorted). */
function same(a: Json, b: Json): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((x, i) => same(x, b[i]));
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => k in b && same(a[k], b[k]));
  }
  return false;
}

/** Field-level changes between two JSON objects, descending into nested objects (not lists). */
function fieldChanges(
  from: Record<string, Json>,
  to: Record<string, Json>,
  prefix = '',
): FieldChange[] {
  const changes: FieldChange[] = [];
  const keys = [...new Set([...Object.keys(from), ...Object.keys(to)])].sort();
  for (const key of keys) {
    const a = from[key];
    const b = to[key];
    const field = `${prefix}${key}`;
    if (!(key in to)) changes.push({ field, from: a });
    else if (!(key in from)) changes.push({ field, to: b });
    else if (isPlainObject(a) && isPlainObject(b)) changes.push(...fieldChanges(a, b, `${field}.`));
    else if (!same(a, b)) changes.push({ field, from: a, to: b });
  }
  return changes;
}

/** What differs from `before` to `after`, kind by kind, ids sorted. */
export function diffPoolStates(before: PoolSnapshot, after: PoolSnapshot): ObjectChange[] {
  const changes: ObjectChange[] = [];
  for (const kind of POOL_OBJECT_KINDS) {
    const a = objectsOf(before, kind);
    const b = objectsOf(after, kind);
    const ids = [...new Set([...a.keys(), ...b.keys()])].sort();
    for (const id of ids) {
      const from = a.get(id);
      const to = b.get(id);
      if (!from) changes.push({ kind, id, change: 'added', fields: fieldChanges({}, to!) });
      else if (!to) changes.push({ kind, id, change: 'removed', fields: fieldChanges(from, {}) });
      else {
        const fields = fieldChanges(from, to);
        if (fields.length > 0) changes.push({ kind, id, change: 'changed', fields });
      }
    }
  }
  return changes;
}

/** The data field that names an object of each kind in the events. */
const ID_FIELDS: Partial<Record<PoolObjectKind, readonly string[]>> = {
  hosts: ['hostId', 'fromHostId', 'toHostId'],
  bonds: ['bondId'],
  networks: ['networkId'],
  vms: ['vmId'],
  vifs: ['vifId', 'destinationVifId'],
  aclRules: ['ruleId'],
  mirrors: ['mirrorId'],
  migrations: ['migrationId'],
  addressSets: ['addressSetId'],
  securityGroups: ['groupId'],
};

/** `kind/id` of an object, the key `touchedObjects` returns. */
export const objectKey = (kind: PoolObjectKind, id: string): string => `${kind}/${id}`;

/**
 * The objects an event names (`kind/id`): its own object and those it links (a VIF's VM and
 * network, a migration's VM and hosts). The diff attributes an object's change to the events
 * between the two versions that name it. Pool events name the pool.
 */
export function touchedObjects(event: { type: string; data: unknown }, pool: string): string[] {
  if (event.type.startsWith('Pool')) return [objectKey('pool', pool)];
  const data = isPlainObject(event.data) ? event.data : {};
  const keys: string[] = [];
  for (const [kind, fields] of Object.entries(ID_FIELDS) as [PoolObjectKind, string[]][]) {
    for (const field of fields) {
      const value = data[field];
      if (typeof value === 'string') keys.push(objectKey(kind, value));
    }
  }
  // A scope (ACL rules, mirrors) names a network, a VIF or a group.
  for (const scope of [data.scope, data.source]) {
    if (!isPlainObject(scope)) continue;
    for (const [field, kind] of [
      ['networkId', 'networks'],
      ['vifId', 'vifs'],
      ['groupId', 'securityGroups'],
    ] as const) {
      if (typeof scope[field] === 'string') keys.push(objectKey(kind, scope[field]));
    }
  }
  return [...new Set(keys)];
}

/**
 * Whether an event names `object`: a `kind/id` key (`vms/web-1`), or a bare id of any kind
 * (`web-1`). The filter of `poolctl events --object` and of the console's history view.
 */
export function namesObject(
  event: { type: string; data: unknown },
  pool: string,
  object: string,
): boolean {
  const named = touchedObjects(event, pool);
  return object.includes('/')
    ? named.includes(object)
    : named.some((key) => key.slice(key.indexOf('/') + 1) === object);
}
