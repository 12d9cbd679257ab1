/**
 * Decoding of rows in OVSDB's JSON notation (RFC 7047 §5.1), as the replica holds them
 * (ovsdb/replica.ts) and `ovs-vsctl --format=json list` prints them. OVSDB's JSON encodes a uuid as
 * ["uuid", u], a set as ["set", [...]] (or a bare atom when it has one member), a map as
 * ["map", [[k, v], ...]].
 */
export type Row = Record<string, unknown>;

const isTagged = (value: unknown, tag: string): value is [string, unknown] =>
  Array.isArray(value) && value.length === 2 && value[0] === tag;

export function asSet(value: unknown): unknown[] {
  if (isTagged(value, 'set')) return value[1] as unknown[];
  return value === undefined ? [] : [value];
}

export function asUuid(value: unknown): string | undefined {
  return isTagged(value, 'uuid') ? String(value[1]) : undefined;
}

export const asUuids = (value: unknown): string[] =>
  asSet(value)
    .map(asUuid)
    .filter((u): u is string => u !== undefined);

export function asMap(value: unknown): Map<string, unknown> {
  if (!isTagged(value, 'map')) return new Map();
  return new Map((value[1] as [unknown, unknown][]).map(([k, v]) => [String(k), v]));
}

export function asStringMap(value: unknown): Map<string, string> {
  return new Map([...asMap(value)].map(([k, v]) => [k, String(v)]));
}

/** An optional scalar column ([] when empty) as a number. */
export function asOptionalNumber(value: unknown): number | undefined {
  const [first] = asSet(value);
  return typeof first === 'number' ? first : undefined;
}

export const asString = (value: unknown): string => (typeof value === 'string' ? value : '');
