import { isMapType, isScalarType, type BaseType, type ColumnType } from './schema.js';

/**
 * ovs-vsctl's value syntax (ovs-vsctl(8), "Database Values") read into OVSDB's JSON notation,
 * typed by the column: atoms are bare words or JSON-quoted strings, a set is atoms joined by
 * commas (optionally in `[]`), a map `{k=v,…}`, a row reference `@name` or a uuid.
 */
export type Atom = string | number | boolean | [string, string];

/** Resolves `@name` (ovs-vsctl's --id symbols) to ["uuid", u] or ["named-uuid", n]. */
export type SymbolLookup = (name: string) => [string, string];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Splits `text` at top-level `separator`s, keeping JSON-quoted strings whole. */
export function splitOutsideQuotes(text: string, separator: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      current += c;
      if (c === '\\') current += text[++i] ?? '';
      else if (c === '"') quoted = false;
    } else if (c === '"') {
      quoted = true;
      current += c;
    } else if (c === separator) {
      parts.push(current);
      current = '';
    } else current += c;
  }
  parts.push(current);
  return parts;
}

export function parseAtom(text: string, type: BaseType, symbol: SymbolLookup): Atom {
  const word = text.trim();
  switch (type.type) {
    case 'string':
      return word.startsWith('"') ? (JSON.parse(word) as string) : word;
    case 'integer': {
      const n = Number(word);
      if (!Number.isInteger(n)) throw new Error(`"${word}" is not a valid integer`);
      return n;
    }
    case 'real': {
      const n = Number(word);
      if (word === '' || Number.isNaN(n)) throw new Error(`"${word}" is not a valid real number`);
      return n;
    }
    case 'boolean':
      if (word !== 'true' && word !== 'false') throw new Error(`"${word}" is not a boolean`);
      return word === 'true';
    case 'uuid':
      if (word.startsWith('@')) return symbol(word.slice(1));
      if (UUID.test(word)) return ['uuid', word.toLowerCase()];
      throw new Error(`"${word}" is not a valid UUID or @name`);
  }
}

/** A whole column value (`col=value`) as an OVSDB datum. */
export function parseDatum(text: string, type: ColumnType, symbol: SymbolLookup): unknown {
  if (isMapType(type)) {
    const inner = text.trim().replace(/^\{(.*)\}$/s, '$1');
    const pairs = inner.trim() === '' ? [] : splitOutsideQuotes(inner, ',');
    return ['map', pairs.map((pair) => parsePair(pair, type, symbol))];
  }
  if (isScalarType(type)) return parseAtom(text, type.key, symbol);
  const inner = text.trim().replace(/^\[(.*)\]$/s, '$1');
  const atoms = inner.trim() === '' ? [] : splitOutsideQuotes(inner, ',');
  return ['set', atoms.map((atom) => parseAtom(atom, type.key, symbol))];
}

/** `key=value` of a map column. */
export function parsePair(text: string, type: ColumnType, symbol: SymbolLookup): [Atom, Atom] {
  const [key, ...rest] = splitOutsideQuotes(text, '=');
  if (rest.length === 0 || !type.value) throw new Error(`"${text}" is not a key=value pair`);
  return [parseAtom(key ?? '', type.key, symbol), parseAtom(rest.join('='), type.value, symbol)];
}

/** `remove`'s values: keys (or key=value pairs) of a map, members of a set. */
export function parseRemovals(texts: readonly string[], type: ColumnType, symbol: SymbolLookup) {
  if (!isMapType(type)) return ['set', texts.map((t) => parseAtom(t, type.key, symbol))];
  const keyed = texts.filter((t) => splitOutsideQuotes(t, '=').length > 1);
  if (keyed.length === 0) return ['set', texts.map((t) => parseAtom(t, type.key, symbol))];
  if (keyed.length !== texts.length) throw new Error('remove: mixed keys and key=value pairs');
  return ['map', texts.map((t) => parsePair(t, type, symbol))];
}
