/**
 * What the dashboard loads, from which endpoint, which stream events make it stale, and which
 * views show it. Kept apart from the DOM so the wiring is unit-tested.
 */

export const DATA_KEYS = [
  'pool',
  'switch',
  'hosts',
  'vms',
  'migrations',
  'acls',
  'securityGroups',
  'addressSets',
  'mirrors',
  'counters',
  'advice',
] as const;
export type DataKey = (typeof DATA_KEYS)[number];

export interface Endpoint {
  /** Under `/api/pools/:pool`. */
  path: string;
  /** A paginated `{ items, nextCursor }` list, read to the end (up to a cap). */
  list: boolean;
}

export const ENDPOINTS: Record<DataKey, Endpoint> = {
  pool: { path: '', list: false },
  switch: { path: '/switch', list: false },
  hosts: { path: '/hosts', list: true },
  vms: { path: '/vms', list: true },
  migrations: { path: '/migrations', list: true },
  acls: { path: '/acls', list: true },
  securityGroups: { path: '/security-groups', list: true },
  addressSets: { path: '/address-sets', list: true },
  mirrors: { path: '/mirrors', list: true },
  counters: { path: '/counters', list: true },
  advice: { path: '/advice', list: true },
};

export function endpointUrl(pool: string, key: DataKey): string {
  return `/api/pools/${encodeURIComponent(pool)}${ENDPOINTS[key].path}`;
}

/** Read-model kinds of a `change` event → the data they can change. */
const KIND_KEYS: Record<string, DataKey[]> = {
  pool: ['pool'],
  hosts: ['hosts', 'switch', 'advice'],
  networks: ['switch', 'advice'],
  vms: ['vms', 'switch'],
  vifs: ['switch', 'vms', 'counters'],
  acls: ['acls'],
  'security-groups': ['securityGroups'],
  'address-sets': ['addressSets'],
  mirrors: ['mirrors'],
  migrations: ['migrations', 'vms', 'switch'],
  addresses: ['switch', 'vms'],
};

/** What to refetch after `event: change`; the pool summary (version, counts) always. */
export function keysForChange(kinds: readonly string[]): DataKey[] {
  const keys = new Set<DataKey>(['pool']);
  for (const kind of kinds) {
    // A kind this page does not know yet: refetch everything rather than show stale data.
    for (const key of KIND_KEYS[kind] ?? DATA_KEYS) keys.add(key);
  }
  return [...keys];
}

/** A host report moves applied versions, lag, port states and counters. */
export const HOST_EVENT_KEYS: readonly DataKey[] = ['hosts', 'switch', 'counters'];

export const VIEWS = [
  'summary',
  'fabric',
  'switch',
  'hosts',
  'vms',
  'migrations',
  'policy',
  'counters',
  'advice',
] as const;
export type ViewId = (typeof VIEWS)[number];

/** The data each view is drawn from (names from other sections included). */
export const VIEW_INPUTS: Record<ViewId, readonly DataKey[]> = {
  summary: ['pool', 'hosts', 'switch', 'vms', 'migrations'],
  fabric: ['switch', 'hosts'],
  switch: ['switch', 'hosts'],
  hosts: ['hosts', 'pool'],
  vms: ['vms', 'hosts', 'switch'],
  migrations: ['migrations', 'vms', 'hosts'],
  policy: ['acls', 'securityGroups', 'addressSets', 'mirrors', 'switch', 'vms'],
  counters: ['counters', 'hosts', 'vms', 'switch'],
  advice: ['advice', 'hosts'],
};

export function viewsFor(keys: Iterable<DataKey>): ViewId[] {
  const changed = new Set(keys);
  return VIEWS.filter((view) => VIEW_INPUTS[view].some((key) => changed.has(key)));
}
