/**
 * fast-check arbitraries of commands that must be refused, whatever the pool holds: each case
 * starts from a command whose shape is valid and carries at least one defect that no pool state
 * can excuse (a wrong type, a missing or unknown field, a malformed MAC, an id nobody could have
 * created…). The fuzz suite sends them over REST and NATS and checks every one is a 4xx.
 */
import fc from 'fast-check';
import { normaliseMac, parseCidr, parseIpv4, parseIpv6 } from '@pool/domain';

export type Presence = 'required' | 'optional' | 'nullable';

export type Field = { presence?: Presence } & (
  | { kind: 'id' | 'poolId' | 'name' | 'text' | 'device' | 'bool' | 'mac' | 'ipv4' | 'ipv6' }
  | { kind: 'cidr' | 'stringList' }
  | { kind: 'int'; min?: number; max?: number }
  /** `refused`: words the API knows only to refuse by name (e.g. renamed values). */
  | { kind: 'enum'; values: readonly string[]; refused?: readonly string[] }
  | { kind: 'object'; fields: Record<string, Field> }
  | { kind: 'objectList'; fields: Record<string, Field> }
);

/** A command as a template: valid data, its fields, and the REST route that sends it. */
export interface CommandTemplate {
  type: string;
  data: Record<string, unknown>;
  fields: Record<string, Field>;
  rest?: {
    method: 'POST' | 'PUT' | 'PATCH' | 'DELETE';
    /** The URL, from the (possibly defective) ids the data names. */
    path: (pool: string, ids: Record<string, string>) => string;
    /** Fields the URL carries instead of the body. */
    fromPath: readonly string[];
    /** The id REST generates when the body has none (its absence is no defect there). */
    generated?: string;
  };
}

/** One generated defect: the data with it, and a word on what it is (shown when a case fails). */
export interface Defective {
  data: Record<string, unknown>;
  defect: string;
  /** For REST: the path ids, always strings (a defect in one of them is a bad id). */
  ids: Record<string, string>;
}

const ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
const POOL_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;
const DEVICE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,14}$/;
const FORBIDDEN_KEYS = ['__proto__', 'constructor', 'prototype'];
/** Keys every object inherits (toString, valueOf…): unknown fields all the same. */
const INHERITED_KEYS = Object.getOwnPropertyNames(Object.prototype).filter(
  (k) => !FORBIDDEN_KEYS.includes(k),
);

// ---------------------------------------------------------------------------------------------
// Values

const anyUnicode = (maxLength = 40) => fc.string({ unit: 'binary', maxLength });
const alnum = (minLength: number, maxLength: number) =>
  fc.string({
    unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789'),
    minLength,
    maxLength,
  });
/** Characters a trimmed name may not hold: controls, lone surrogates, line/paragraph breaks. */
const unprintable = fc.oneof(
  fc.integer({ min: 0, max: 0x1f }).map((c) => String.fromCharCode(c)),
  fc.integer({ min: 0x7f, max: 0x9f }).map((c) => String.fromCharCode(c)),
  fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)),
  fc.constantFrom('\u2028', '\u2029'),
);
/** An unprintable character between two printable ones, so trimming cannot drop it. */
const withUnprintable = fc
  .tuple(anyUnicode(20), unprintable, anyUnicode(20))
  .map(([a, bad, b]) => `${a}x${bad}x${b}`);
const oddUnicode = fc
  .tuple(anyUnicode(10), fc.constantFrom('é', 'ß', '中', '😀', '\u200b', '\ufeff', 'ｅ', 'İ'))
  .map(([s, u]) => `a${u}${s}`);
const blank = fc.constantFrom('', ' ', '   ', '\t', '\n', '\u00a0', '\u3000 ');
/** Long enough to break any id or name rule, short enough to fit in a request. */
const huge = fc.integer({ min: 257, max: 60_000 }).map((n) => 'x'.repeat(n));

const ofType: Record<string, fc.Arbitrary<unknown>> = {
  string: anyUnicode(20),
  digits: fc.integer({ min: 0, max: 9999 }).map(String),
  integer: fc.integer(),
  fraction: fc.double({ min: -1e6, max: 1e6, noNaN: true }).filter((d) => !Number.isInteger(d)),
  boolean: fc.boolean(),
  array: fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 3 }),
  object: fc.dictionary(alnum(1, 6), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 }),
};

/** JSON values of every type but the ones `field` accepts (null only where it is refused). */
function wrongType(field: Field): fc.Arbitrary<unknown> {
  const accepts: Record<Field['kind'], string[]> = {
    id: ['string'],
    poolId: ['string'],
    name: ['string'],
    text: ['string'],
    device: ['string'],
    mac: ['string'],
    ipv4: ['string'],
    ipv6: ['string'],
    cidr: ['string'],
    enum: ['string'],
    bool: ['boolean'],
    int: ['integer'],
    object: ['object'],
    objectList: ['array'],
    stringList: ['array'],
  };
  const ok = new Set(accepts[field.kind]);
  // A digit string is a string, and no integer.
  if (ok.has('string')) ok.add('digits');
  const wrong = Object.entries(ofType)
    .filter(([type]) => !ok.has(type))
    .map(([, arbitrary]) => arbitrary);
  if (field.presence !== 'nullable') wrong.push(fc.constant(null));
  return fc.oneof(...wrong);
}

/** Values of the right type that the field's rule refuses. */
function badValue(field: Field): fc.Arbitrary<unknown> | undefined {
  switch (field.kind) {
    case 'id':
      return fc.oneof(
        anyUnicode(70).filter((s) => !ID.test(s)),
        oddUnicode,
        alnum(65, 300),
        huge,
        fc.constantFrom('', ' ', '-lead', '_lead', 'a b', 'a.b', 'a/b', 'a*', 'a>', 'a:b'),
      );
    case 'poolId':
      return fc.oneof(
        anyUnicode(70).filter((s) => !POOL_ID.test(s)),
        alnum(64, 200),
        fc.constantFrom('Lab', 'lab_1', 'lab.a', '-lab', 'lab*', 'lab>', 'LAB'),
      );
    case 'name':
      return fc.oneof(blank, withUnprintable, alnum(65, 256), huge);
    case 'text':
      return fc.oneof(blank, withUnprintable, huge);
    case 'device':
      return fc.oneof(
        anyUnicode(30).filter((s) => !DEVICE.test(s)),
        alnum(16, 64),
        fc.constantFrom('', 'eth 0', 'eth0/1', 'eth0:1', '-eth0', '.eth0', 'éth0'),
      );
    case 'mac':
      return fc.oneof(
        anyUnicode(20).filter((s) => normaliseMac(s) === null),
        // Multicast (the I/G bit) and all-zero MACs are well-formed but never a VIF's.
        fc
          .tuple(
            fc.integer({ min: 0, max: 127 }),
            fc.array(fc.nat(255), { minLength: 5, maxLength: 5 }),
          )
          .map(([first, rest]) => [first * 2 + 1, ...rest].map(hex).join(':')),
        fc.constantFrom('00:00:00:00:00:00', '00-00-00-00-00-00', 'ff:ff:ff:ff:ff:ff'),
        fc.constantFrom(
          '02:aa:bb:cc:dd',
          '02:aa:bb:cc:dd:ee:ff',
          '02:aa-bb:cc:dd:ee',
          '02aabbccddee',
        ),
      );
    case 'ipv4':
      return fc.oneof(
        anyUnicode(20).filter((s) => parseIpv4(s) === null),
        fc
          .tuple(fc.integer({ min: 256, max: 9999 }), fc.nat(255))
          .map(([a, b]) => `10.${b}.${a}.1`),
        fc.integer({ min: 224, max: 239 }).map((a) => `${a}.0.0.1`),
        fc.constantFrom('0.0.0.0', '255.255.255.255', '1.2.3', '1.2.3.4.5', '01.2.3.4', '::1'),
      );
    case 'ipv6':
      return fc.oneof(
        anyUnicode(30).filter((s) => parseIpv6(s) === null),
        fc.constantFrom('::', 'ff02::1', '1::2::3', '12345::', 'g::1', '1:2:3:4:5:6:7:8:9'),
      );
    case 'cidr':
      return fc.oneof(
        anyUnicode(20).filter((s) => parseCidr(s) === null),
        fc.constantFrom('10.0.0.1/8', '192.0.2.1/24', '2001:db8::1/32', '10.0.0.0/33', '10.0.0.0'),
      );
    case 'int':
      return field.min === undefined || field.max === undefined
        ? undefined
        : fc.oneof(
            fc.integer({ min: Number.MIN_SAFE_INTEGER, max: field.min - 1 }),
            fc.integer({ min: field.max + 1, max: Number.MAX_SAFE_INTEGER }),
          );
    case 'enum': {
      const values = field.values;
      return fc.oneof(
        anyUnicode(12).filter((s) => !values.includes(s)),
        fc.constantFrom(
          ...values.map((v) => v.toUpperCase()),
          ...values.map((v) => ` ${v}`),
          ...(field.refused ?? []),
        ),
      );
    }
    case 'objectList':
      return fc.oneof(
        fc.array(fc.oneof(fc.integer(), anyUnicode(5), fc.constant(null)), {
          minLength: 1,
          maxLength: 3,
        }),
      );
    case 'stringList':
      return fc.array(fc.oneof(fc.integer(), fc.boolean(), fc.constant(null)), {
        minLength: 1,
        maxLength: 3,
      });
    default:
      return undefined;
  }
}

const hex = (n: number) => n.toString(16).padStart(2, '0');

// ---------------------------------------------------------------------------------------------
// Defects of a template's data

type Path = string[];

const fieldPaths = (fields: Record<string, Field>, prefix: Path = []): [Path, Field][] =>
  Object.entries(fields).flatMap(([key, field]): [Path, Field][] => {
    const path = [...prefix, key];
    if (field.kind === 'object') return [[path, field], ...fieldPaths(field.fields, path)];
    if (field.kind === 'objectList') {
      return [[path, field], ...fieldPaths(field.fields, [...path, '0'])];
    }
    return [[path, field]];
  });

const clone = (data: Record<string, unknown>): Record<string, unknown> => structuredClone(data);

/** Sets (or, with `remove`, deletes) a nested value; returns whether the path existed. */
function setAt(data: Record<string, unknown>, path: Path, value: unknown, remove = false): boolean {
  let node: unknown = data;
  for (const key of path.slice(0, -1)) {
    if (typeof node !== 'object' || node === null) return false;
    node = (node as Record<string, unknown>)[key];
  }
  if (typeof node !== 'object' || node === null) return false;
  const last = path.at(-1)!;
  if (remove) delete (node as Record<string, unknown>)[last];
  else (node as Record<string, unknown>)[last] = value;
  return true;
}

const known = (fields: Record<string, Field>) => new Set(Object.keys(fields));

/** Every defect a template can carry in its data; each one alone makes the command invalid. */
export function defectiveData(
  template: CommandTemplate,
  transport: 'rest' | 'nats',
): fc.Arbitrary<Defective> {
  const rest = transport === 'rest' ? template.rest : undefined;
  // Nested fields only where the template holds their parent (a null `qos` has no fields).
  const paths = fieldPaths(template.fields).filter(
    ([path]) => path.length === 1 || isObject(valueAt(template.data, path.slice(0, -1))),
  );
  const variants: fc.Arbitrary<{ data: Record<string, unknown>; defect: string }>[] = [];
  for (const [path, field] of paths) {
    const where = path.join('.');
    // Over REST, a URL id cannot be missing, and a generated one is filled in.
    const required = (field.presence ?? 'required') === 'required';
    const inUrl = rest?.fromPath.includes(where) ?? false;
    const canMiss = !inUrl && rest?.generated !== where;
    const mutate = (label: string, value: fc.Arbitrary<unknown>) =>
      (inUrl ? value.filter(fitsUrl) : value).map((v) => {
        const data = clone(template.data);
        setAt(data, path, v);
        return { data, defect: `${where}: ${label} ${preview(v)}` };
      });
    variants.push(mutate('wrong type', wrongType(field)));
    const bad = badValue(field);
    if (bad) variants.push(mutate('bad value', bad));
    if (required && canMiss) {
      const data = clone(template.data);
      setAt(data, path, undefined, true);
      variants.push(fc.constant({ data, defect: `${where}: missing` }));
    }
  }
  // An unknown field, at the top or inside a nested object.
  const objects: [Path, Record<string, Field>][] = [
    [[], template.fields],
    ...paths
      // Only objects the template holds (a null `qos` has no fields to add one to).
      .filter(([p, f]) => f.kind === 'object' && isObject(valueAt(template.data, p)))
      .map(
        ([p, f]) =>
          [p, (f as { fields: Record<string, Field> }).fields] as [Path, Record<string, Field>],
      ),
  ];
  for (const [path, fields] of objects) {
    const names = known(fields);
    variants.push(
      fc
        .tuple(
          fc.oneof(
            anyUnicode(16).filter((k) => !names.has(k) && !FORBIDDEN_KEYS.includes(k)),
            fc.constantFrom(...FORBIDDEN_KEYS),
            fc.constantFrom(...INHERITED_KEYS),
          ),
          fc.jsonValue({ maxDepth: 2 }),
        )
        .map(([key, value]) => {
          const data = clone(template.data);
          const target = path.length === 0 ? data : valueAt(data, path);
          defineKey(target as object, key, value);
          return { data, defect: `unknown field ${JSON.stringify([...path, key].join('.'))}` };
        }),
    );
  }
  const ids = template.rest?.fromPath ?? [];
  return fc.oneof(...variants).map(({ data, defect }) => ({
    data,
    defect,
    ids: Object.fromEntries(ids.map((k) => [k, asUrlId(data[k])])),
  }));
}

/**
 * A value that can stand in a URL as the id: not '.' or '..' (the URL would name another
 * route), and within what Node takes in a request line (a longer one is answered 431 by Node
 * before Fastify sees it; the fuzz suite tests that on its own).
 */
const fitsUrl = (value: unknown): boolean => {
  const id = asUrlId(value);
  return id !== '.' && id !== '..' && encodeURIComponent(id).length <= 4096;
};

/** Ids that pass every format rule but were never created (404s, nothing written). */
export const unknownId = alnum(6, 12).map((s) => `zz-${s}`);

/** A template's data with one of its URL ids replaced by an unknown or malformed one. */
export function defectivePath(template: CommandTemplate): fc.Arbitrary<Defective> | undefined {
  const fromPath = template.rest?.fromPath ?? [];
  if (fromPath.length === 0) return undefined;
  return fc
    .tuple(
      fc.constantFrom(...fromPath),
      fc.oneof(unknownId, badValue({ kind: 'id' })!.filter(fitsUrl)),
    )
    .map(([key, id]) => {
      const data = clone(template.data);
      data[key] = id;
      const ids = Object.fromEntries(fromPath.map((k) => [k, asUrlId(data[k])]));
      return { data, ids, defect: `url ${key}: ${preview(id)}` };
    });
}

/** A URL carries any value as text; objects without a prototype cannot be String()-ed. */
const asUrlId = (value: unknown): string =>
  typeof value === 'string' ? value : (JSON.stringify(value) ?? 'undefined');

const isObject = (value: unknown): value is object =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const valueAt = (data: Record<string, unknown>, path: Path): unknown =>
  path.reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], data);

/** Own property even for `__proto__`, as JSON.parse would make it. */
const defineKey = (target: object, key: string, value: unknown) =>
  Object.defineProperty(target, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });

export const preview = (value: unknown): string => {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 60)}…(${text.length})` : text;
};

// ---------------------------------------------------------------------------------------------
// Bodies, media types, headers and queries a REST route refuses before the command runs

const JSON_TYPE = /^application\/(?:[\w.-]+\+)?json\s*(?:;|$)/i;

export const notJson = fc
  .oneof(
    anyUnicode(60),
    fc.constantFrom('', '{', '{"name":', "{'name':'x'}", '{"a":1,}', 'NaN', 'undefined', '[1,2'),
    fc.jsonValue().map((v) => `${JSON.stringify(v)}}`),
  )
  .filter((text) => {
    try {
      JSON.parse(text);
      return false;
    } catch {
      return true;
    }
  });

export const notAnObject = fc.oneof(
  fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 4 }),
  fc.string(),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constant(null),
);

export const otherMediaType = fc
  .oneof(
    fc.constantFrom(
      'text/plain',
      'text/html',
      'application/xml',
      'application/x-www-form-urlencoded',
      'application/octet-stream',
      'multipart/form-data; boundary=x',
      'application/jsonx',
      'json',
      'application/ json',
    ),
    fc.tuple(alnum(1, 10), alnum(1, 10)).map(([a, b]) => `${a}/${b}`),
  )
  .filter((type) => !JSON_TYPE.test(type));

/** Query strings a command refuses: unknown keys, `wait` other than hosts, bad timeouts. */
export const badCommandQuery = fc.oneof(
  fc
    .tuple(
      alnum(1, 8).filter((k) => k !== 'wait' && k !== 'timeoutMs'),
      alnum(0, 8),
    )
    .map(([k, v]) => `${k}=${v}`),
  alnum(0, 8)
    .filter((v) => v !== 'hosts')
    .map((v) => `wait=${v}`),
  fc.integer({ min: 1, max: 600_000 }).map((n) => `timeoutMs=${n}`),
  fc
    .oneof(
      fc.constantFrom('0', '-1', '600001', '1.5', 'abc', '', '1e3', '9999999'),
      alnum(1, 6).filter((s) => !/^\d{1,6}$/.test(s)),
    )
    .map((t) => `wait=hosts&timeoutMs=${encodeURIComponent(t)}`),
);

/** Headers a command refuses: a malformed Idempotency-Key or If-Match. */
export const badCommandHeaders = fc.oneof(
  fc
    .oneof(
      fc
        .string({ unit: 'grapheme-ascii', minLength: 129, maxLength: 300 })
        .map((s) => s.replace(/^\s+|\s+$/g, 'k')),
      fc.tuple(alnum(1, 10), alnum(1, 10)).map(([a, b]) => `${a} ${b}`),
    )
    .map((key) => ({ 'Idempotency-Key': key })),
  fc
    .oneof(
      fc.constantFrom('W/"1"', '"abc"', 'abc', '"1', '1"', '-1', '"1","2"', '1.0', '0x10'),
      alnum(1, 8).filter((s) => !/^\d+$/.test(s)),
    )
    .map((tag) => ({ 'If-Match': tag })),
);

/** Event queries the read route refuses. */
export const badEventsQuery = fc.oneof(
  fc
    .tuple(
      alnum(1, 8).filter((k) => k !== 'after' && k !== 'limit'),
      alnum(0, 8),
    )
    .map(([k, v]) => `${k}=${v}`),
  fc
    .oneof(fc.constantFrom('-1', '1.5', 'x', '', '1e3'), fc.integer({ max: -1 }).map(String))
    .map((v) => `after=${encodeURIComponent(v)}`),
  fc
    .oneof(fc.constantFrom('0', '1001', '-5', 'all', ''), fc.integer({ min: 1001 }).map(String))
    .map((v) => `limit=${encodeURIComponent(v)}`),
);
