/**
 * fast-check arbitraries of requests that test the API's word to its caller (issue 18's
 * classes), each a command that must be refused on every transport and write nothing: a used
 * idempotency key with another command, an actor the caller names, thousands of problems in
 * one request, bytes that are not UTF-8, a charset other than UTF-8, names with format
 * characters or spelled to look like a name in use, and IPv6 addresses that embed an IPv4
 * one. Each case says which codes may answer it; the fuzz suite maps it onto REST, NATS or gRPC.
 */
import fc from 'fast-check';
import { POOL_ID_PATTERN } from '@pool/domain';

/** A command as every transport carries it. */
export interface Command {
  type: string;
  data: Record<string, unknown>;
}

/** The first use of a key, written during the suite's setup. */
export interface KeyedCommand extends Command {
  key: string;
}

/** Where a case's defect sits; the suite builds the request of its transport from it. */
export type Defect =
  | { kind: 'command' }
  | { kind: 'key'; key: string }
  | { kind: 'actor'; actor: string }
  /** `count` unknown fields of about `keyLength` characters, in the data or the envelope. */
  | { kind: 'unknownFields'; count: number; keyLength: number; where: 'data' | 'envelope' }
  /** The data's JSON with `bytes` spliced into its `name` (never valid UTF-8). */
  | { kind: 'badUtf8'; bytes: readonly number[] }
  | { kind: 'charset'; charset: string }
  /** The command sent to this pool id instead of the suite's. */
  | { kind: 'pool'; pool: string };

export interface WordCase {
  what: string;
  command: Command;
  defect: Defect;
  /** The codes that may refuse it, per transport when they differ. */
  codes: { rest: string[]; nats: string[]; grpc: string[] };
}

const same = (...codes: string[]) => ({ rest: codes, nats: codes, grpc: codes });

/** Template data: commands that would be accepted or refused by the pool, but are well-formed. */
export interface WordTemplates {
  /** Commands the pool would take as they are (some create, some change). */
  valid: Command[];
  /** Commands carrying a `name` (the data as valid, the name to be replaced). */
  named: Command[];
  /** Names in use, per command that creates a holder of that kind, and its unique id field. */
  takenNames: { name: string; create: (name: string, n: number) => Command }[];
  /** Commands with a VIF IPv6 address (`ipv6`) or address set entries (`cidrs`) to replace. */
  ipv6: { command: Command; field: 'ipv6' | 'cidrs' }[];
}

// ---------------------------------------------------------------------------------------------
// Values

const ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';
const alnum = (minLength: number, maxLength: number) =>
  fc.string({ unit: fc.constantFrom(...ALNUM), minLength, maxLength });

/** Any code point of Unicode's Cf (format) category, the well-known ones weighted up. */
const formatCharacter = fc.oneof(
  fc.constantFrom(
    '\u00ad', // soft hyphen
    '\u061c', // Arabic letter mark
    '\u200b', // zero-width space
    '\u200c', // zero-width non-joiner
    '\u200d', // zero-width joiner
    '\u200e', // left-to-right mark
    '\u202e', // right-to-left override
    '\u2060', // word joiner
    '\u2066', // left-to-right isolate
    '\ufeff', // byte order mark
  ),
  fc
    .integer({ min: 0x00ad, max: 0xe007f })
    .map((cp) => String.fromCodePoint(cp))
    .filter((c) => /^\p{Cf}$/u.test(c)),
);

/** Byte sequences no UTF-8 decoder may accept. */
const invalidUtf8 = fc.oneof(
  fc.integer({ min: 0x80, max: 0xbf }).map((b) => [b]), // a lone continuation byte
  fc.integer({ min: 0xf8, max: 0xff }).map((b) => [b]), // never in UTF-8
  fc.constantFrom([0xc0, 0xaf], [0xc1, 0xbf], [0xe0, 0x80, 0xaf], [0xf0, 0x80, 0x80, 0xaf]), // overlong
  fc.constantFrom([0xed, 0xa0, 0x80], [0xed, 0xbf, 0xbf]), // a surrogate, encoded
  fc.constantFrom([0xf4, 0x90, 0x80, 0x80], [0xf5, 0x80, 0x80, 0x80]), // over U+10FFFF
  fc.integer({ min: 0xc2, max: 0xf4 }).map((b) => [b]), // a lead byte without its continuation
  fc
    .tuple(fc.integer({ min: 0xe1, max: 0xec }), fc.integer({ min: 0x80, max: 0xbf }))
    .map(([a, b]) => [a, b]), // a 3-byte sequence cut short
);

/** Charsets a JSON body may not declare (JSON is UTF-8): named ones and made-up ones. */
const otherCharset = fc
  .oneof(
    fc.constantFrom(
      'iso-8859-1',
      'ISO-8859-1',
      'latin1',
      'windows-1252',
      'utf-16',
      'UTF-16LE',
      'utf-32',
      'us-ascii',
      'shift_jis',
      'koi8-r',
      '"iso-8859-15"',
      'utf-7',
      'cesu-8',
    ),
    alnum(1, 12),
  )
  .filter((c) => !['utf-8', 'utf8'].includes(c.replace(/"/g, '').toLowerCase()));

/** One character of `name` in another spelling that NFKC and case folding bring back. */
const lookAlikeOf = (c: string): string[] => {
  const code = c.codePointAt(0)!;
  const forms = [c, c.toUpperCase()];
  // Fullwidth forms (U+FF01–FF5E) of printable ASCII.
  if (code >= 0x21 && code <= 0x7e) forms.push(String.fromCodePoint(code + 0xfee0));
  // Mathematical bold and double-struck letters.
  if (c >= 'a' && c <= 'z') {
    forms.push(String.fromCodePoint(0x1d41a + code - 0x61));
    forms.push(String.fromCodePoint(0x1d552 + code - 0x61));
  }
  if (c >= '0' && c <= '9') forms.push(String.fromCodePoint(0x1d7ce + code - 0x30)); // bold digits
  return forms.filter((f) => fold(f) === fold(c));
};

/** The comparison the pool makes of names (NFKC, then case folded). */
export const fold = (name: string): string =>
  name.normalize('NFKC').toUpperCase().toLowerCase().normalize('NFKC');

/** Another spelling of `name` that folds to the same: at least one character changed. */
const lookAlike = (name: string): fc.Arbitrary<string> =>
  fc
    .tuple(...[...name].map((c) => fc.constantFrom(...lookAlikeOf(c))))
    .map((chars) => chars.join(''))
    .filter((spelled) => spelled !== name && fold(spelled) === fold(name));

const octet = fc.nat(255);
const ipv4 = fc
  .tuple(fc.integer({ min: 1, max: 223 }), octet, octet, octet)
  .map((parts) => parts.join('.'));
const hex16 = fc.nat(0xffff).map((n) => n.toString(16));
const upperOrNot = (text: string) => fc.constantFrom(text, text.toUpperCase());

/** IPv4-mapped (::ffff:0:0/96) and IPv4-compatible (::/96) addresses, in their spellings. */
const embeddingIpv6 = fc.oneof(
  fc.tuple(ipv4, upperOrNot('ffff')).map(([v4, f]) => `::${f}:${v4}`),
  fc
    .tuple(ipv4, fc.constantFrom('0:0:0:0:0', '0000:0000:0000:0000:0000', '0::0'))
    .map(([v4, zeros]) => `${zeros}:ffff:${v4}`),
  fc.tuple(hex16, hex16).map(([a, b]) => `::ffff:${a}:${b}`),
  fc.tuple(hex16, hex16).map(([a, b]) => `0:0:0:0:0:FFFF:${a}:${b}`),
  ipv4.map((v4) => `::${v4}`), // IPv4-compatible
  fc.tuple(fc.integer({ min: 1, max: 0xffff }), hex16).map(([a, b]) => `::${a.toString(16)}:${b}`),
);

// ---------------------------------------------------------------------------------------------
// Cases

const pick = <T>(values: T[]) => fc.constantFrom(...values);

const withField = (command: Command, field: string, value: unknown): Command => ({
  type: command.type,
  data: { ...command.data, [field]: value },
});

/** A used key with another command: another type, or the same type with other data. */
export function reusedKeys(first: KeyedCommand[], valid: Command[]): fc.Arbitrary<WordCase> {
  const otherData = fc.tuple(pick(first), alnum(1, 12)).map(([keyed, suffix]) => ({
    keyed,
    command: withField(keyed, 'name', `${String(keyed.data.name)}-${suffix}`),
  }));
  const otherType = fc
    .tuple(pick(first), pick(valid))
    .filter(([keyed, command]) => keyed.type !== command.type)
    .map(([keyed, command]) => ({ keyed, command }));
  return fc.oneof(otherData, otherType).map(({ keyed, command }) => ({
    what: `key ${keyed.key} (${keyed.type}) reused for ${command.type} ${short(command.data)}`,
    command,
    defect: { kind: 'key', key: keyed.key },
    codes: same('IDEMPOTENCY_KEY_REUSED'),
  }));
}

/** A command that would be taken, with an actor the caller names for the audit trail. */
export function claimedActors(valid: Command[]): fc.Arbitrary<WordCase> {
  const actor = fc.oneof(
    fc.constantFrom('alice', 'admin', 'root', 'system', 'anonymous', ' bob '),
    fc.string({ minLength: 1, maxLength: 40 }).filter((s) => s.length > 0),
  );
  return fc.tuple(pick(valid), actor).map(([command, name]) => ({
    what: `${command.type} claiming actor ${JSON.stringify(name)}`,
    command,
    defect: { kind: 'actor', actor: name },
    // REST and NATS have no actor field (an unknown one); gRPC's is refused by name.
    codes: { rest: ['VALIDATION_FAILED'], nats: ['UNKNOWN_FIELDS'], grpc: ['ACTOR_NOT_ACCEPTED'] },
  }));
}

/** Thousands of unknown fields in one request: the refusal must still arrive, bounded. */
export function manyProblems(valid: Command[]): fc.Arbitrary<WordCase> {
  return fc
    .tuple(
      pick(valid),
      fc.integer({ min: 25, max: 15_000 }),
      fc.integer({ min: 8, max: 40 }),
      fc.constantFrom<'data' | 'envelope'>('data', 'data', 'envelope'),
    )
    .map(([command, count, keyLength, where]) => ({
      what: `${command.type} with ${count} unknown fields of ${keyLength} characters in ${where}`,
      command,
      defect: { kind: 'unknownFields', count, keyLength, where },
      codes: {
        rest: ['VALIDATION_FAILED', 'BODY_TOO_LARGE'],
        nats: [where === 'data' ? 'VALIDATION_FAILED' : 'UNKNOWN_FIELDS'],
        grpc: ['VALIDATION_FAILED'],
      },
    }));
}

/** A named command whose JSON carries bytes that are not UTF-8 inside its name. */
export function badUtf8(named: Command[]): fc.Arbitrary<WordCase> {
  return fc.tuple(pick(named), invalidUtf8).map(([command, bytes]) => ({
    what: `${command.type} name with bytes ${bytes.map((b) => b.toString(16)).join(' ')}`,
    command,
    defect: { kind: 'badUtf8', bytes },
    codes: same('MALFORMED_JSON'),
  }));
}

/** A JSON body declared in another charset (REST only: the others carry no media type). */
export function otherCharsets(valid: Command[]): fc.Arbitrary<WordCase> {
  return fc.tuple(pick(valid), otherCharset).map(([command, charset]) => ({
    what: `${command.type} as charset=${charset}`,
    command,
    defect: { kind: 'charset', charset },
    codes: same('UNSUPPORTED_CHARSET'),
  }));
}

/** A name with a format character (zero-width, bidi override…) between visible ones. */
export function formatNames(named: Command[]): fc.Arbitrary<WordCase> {
  return fc
    .tuple(pick(named), alnum(0, 8), formatCharacter, alnum(0, 8))
    .map(([command, before, cf, after]) => {
      const name = `n${before}${cf}${after}x`;
      return {
        what: `${command.type} name with U+${cf.codePointAt(0)!.toString(16).padStart(4, '0')}`,
        command: withField(command, 'name', name),
        defect: { kind: 'command' },
        codes: same('INVALID_NAME'),
      };
    });
}

/** A new network, address set or security group spelled to look like one in use. */
export function lookAlikeNames(taken: WordTemplates['takenNames']): fc.Arbitrary<WordCase> {
  return fc
    .tuple(pick(taken), fc.nat(1_000_000))
    .chain(([holder, n]) =>
      lookAlike(holder.name).map((spelled) => ({ command: holder.create(spelled, n), holder })),
    )
    .map(({ command, holder }) => ({
      what: `${command.type} named ${JSON.stringify(command.data.name)} beside ${holder.name}`,
      command,
      defect: { kind: 'command' },
      codes: same('NETWORK_NAME_IN_USE', 'ADDRESS_SET_NAME_IN_USE', 'SECURITY_GROUP_NAME_IN_USE'),
    }));
}

/** A VIF address or address set entry that embeds an IPv4 address. */
export function mappedIpv6(targets: WordTemplates['ipv6']): fc.Arbitrary<WordCase> {
  return fc
    .tuple(pick(targets), embeddingIpv6, fc.constantFrom('', '/128', '/120', '/96'))
    .map(([{ command, field }, address, prefix]) => {
      const value = field === 'ipv6' ? address : [`${address}${prefix}`];
      return {
        what: `${command.type} ${field} ${JSON.stringify(value)}`,
        command: withField(command, field, value),
        defect: { kind: 'command' },
        // A prefix with host bits set is refused for that first.
        codes: same('IPV4_EMBEDDED_IPV6', 'INVALID_CIDR'),
      };
    });
}

/** The pool's id in spellings only other transports once took (upper case, `_`), and worse. */
export function foreignPoolIds(pool: string, valid: Command[]): fc.Arbitrary<WordCase> {
  const respelled = fc
    .tuple(...[...pool].map((c) => fc.constantFrom(c, c.toUpperCase(), c === '-' ? '_' : c)))
    .map((chars) => chars.join(''))
    .filter((spelled) => spelled !== pool);
  const other = fc.oneof(
    respelled,
    fc.constantFrom(`${pool}_x`, `_${pool}`, `-${pool}`, `${pool}\u0000`, pool.padEnd(64, 'x')),
    fc.string({ minLength: 1, maxLength: 70 }).filter((s) => !POOL_ID_PATTERN.test(s)),
  );
  return fc
    .tuple(pick(valid.filter((c) => c.type !== 'CreatePool')), other)
    .map(([command, id]) => ({
      what: `${command.type} on pool ${JSON.stringify(id)}`,
      command,
      defect: { kind: 'pool', pool: id },
      // A URL part over 100 characters is refused before any route (README: 414).
      codes: {
        ...same('VALIDATION_FAILED'),
        ...(encodeURIComponent(id).length > 100 ? { rest: ['URI_TOO_LONG'] } : {}),
      },
    }));
}

/** Every class above, for one fuzz property. */
export function brokenWords(
  pool: string,
  first: KeyedCommand[],
  t: WordTemplates,
): fc.Arbitrary<WordCase> {
  return fc.oneof(
    { weight: 2, arbitrary: foreignPoolIds(pool, t.valid) },
    { weight: 3, arbitrary: reusedKeys(first, t.valid) },
    { weight: 2, arbitrary: claimedActors(t.valid) },
    { weight: 1, arbitrary: manyProblems(t.valid) },
    { weight: 2, arbitrary: badUtf8(t.named) },
    { weight: 1, arbitrary: otherCharsets(t.valid) },
    { weight: 2, arbitrary: formatNames(t.named) },
    { weight: 2, arbitrary: lookAlikeNames(t.takenNames) },
    { weight: 2, arbitrary: mappedIpv6(t.ipv6) },
  );
}

const short = (value: unknown): string => {
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
};
