import { isMapType, isScalarType, type ColumnType } from './schema.js';

/*
 * Values in OVSDB's JSON notation (RFC 7047 §5.1): a set is ["set", [...]] or, with one member,
 * the bare atom; a map is ["map", [[k, v], ...]]; a uuid is ["uuid", u] (["named-uuid", n] for a
 * row inserted in the same transaction).
 */

export const setMembers = (datum: unknown): unknown[] =>
  Array.isArray(datum) && datum[0] === 'set'
    ? (datum[1] as unknown[])
    : datum === undefined
      ? []
      : [datum];

export const mapPairs = (datum: unknown): [unknown, unknown][] =>
  Array.isArray(datum) && datum[0] === 'map' ? (datum[1] as [unknown, unknown][]) : [];

const json = (value: unknown): string => JSON.stringify(value);

/** One text per value whatever its notation (member and pair order, a set of one as an atom). */
export function canonical(datum: unknown, type: ColumnType): string {
  if (isMapType(type)) return json(mapPairs(datum).map(json).sort());
  if (isScalarType(type)) return json(datum);
  return json(setMembers(datum).map(json).sort());
}

/** A non-map column's set of one member is its bare atom, as ovsdb-server writes it. */
export function normalized(value: unknown, type: ColumnType): unknown {
  if (isMapType(type) || isScalarType(type)) return value;
  const list = setMembers(value);
  return list.length === 1 ? list[0] : ['set', list];
}

/**
 * A column's value after one mutation (RFC 7047 §5.1 <mutation>): `insert` adds members (and
 * map pairs whose key is absent), `delete` removes members, map pairs by key (a set of keys)
 * or by pair (a map), `+=` adds to an integer.
 */
export function mutated(current: unknown, mutator: string, value: unknown, type: ColumnType) {
  if (mutator === '+=') return Number(current) + Number(value);
  if (isMapType(type)) {
    const held = mapPairs(current);
    if (mutator === 'insert') {
      const added = mapPairs(value).filter(([k]) => !held.some(([h]) => json(h) === json(k)));
      return ['map', [...held, ...added]];
    }
    const byKey = Array.isArray(value) && value[0] === 'set';
    const drop = new Set(byKey ? setMembers(value).map(json) : mapPairs(value).map(json));
    return ['map', held.filter((pair) => !drop.has(json(byKey ? pair[0] : pair)))];
  }
  const base = setMembers(current);
  const change = setMembers(value);
  const next =
    mutator === 'insert'
      ? [...base, ...change.filter((c) => !base.some((b) => json(b) === json(c)))]
      : base.filter((b) => !change.some((c) => json(c) === json(b)));
  return normalized(['set', next], type);
}
