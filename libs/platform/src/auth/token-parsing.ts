import { readFileSync } from 'node:fs';
import { hashToken, TOKEN_SYNTAX, type TokenEntry } from './bearer-tokens.js';
import { isRole } from './roles.js';

/** Why a token source was refused; never quotes what it read, so no token reaches a log. */
export class TokenProblems {
  constructor(readonly problems: readonly string[]) {}
}

export const MIN_TOKEN_LENGTH = 16;
const MAX_TOKEN_LENGTH = 1024;
const NAME = /^[A-Za-z0-9_.@-]{1,64}$/;

interface RawEntry {
  role: unknown;
  token: unknown;
  name?: unknown;
}

/** `AUTH_TOKENS`: `role:token[:name]` entries separated by commas. */
export function parseTokenList(text: string): TokenEntry[] | TokenProblems {
  const raw = text
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '')
    .map((item): RawEntry => {
      const [role, token, name, ...rest] = item.split(':');
      // A fourth part is reported as a bad name, like any other malformed name.
      return { role, token, name: rest.length > 0 ? '' : name };
    });
  return toEntries(raw, (i) => `entry ${i + 1}`, 'role:token[:name]');
}

/**
 * `AUTH_TOKENS_FILE`'s contents: lines `role token [name]` (blank lines and `#` comments
 * skipped), or JSON, `[{ "role", "token", "name"? }]` or `{ "tokens": [...] }`.
 */
export function parseTokenFile(text: string): TokenEntry[] | TokenProblems {
  if (/^\s*[[{]/.test(text)) return parseTokenJson(text);
  const lines = text.split(/\r?\n/).map((line, i) => ({ n: i + 1, fields: fieldsOf(line) }));
  const used = lines.filter((line) => line.fields.length > 0);
  const shapeless = used.filter((line) => line.fields.length < 2 || line.fields.length > 3);
  if (shapeless.length > 0) {
    return new TokenProblems(
      shapeless.map((line) => `line ${line.n}: expected 'role token [name]'`),
    );
  }
  const raw = used.map(({ fields: [role, token, name] }): RawEntry => ({ role, token, name }));
  return toEntries(raw, (i) => `line ${used[i]!.n}`, 'role token [name]');
}

/** Reads and parses a token file, at boot. */
export function readTokenFile(path: string): TokenEntry[] | TokenProblems {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    return new TokenProblems([
      `cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    ]);
  }
  return parseTokenFile(text);
}

const fieldsOf = (line: string): string[] => {
  const content = line.replace(/(^|\s)#.*$/, '').trim();
  return content === '' ? [] : content.split(/\s+/);
};

function parseTokenJson(text: string): TokenEntry[] | TokenProblems {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // JSON.parse's message quotes the text around the fault: it could be a token.
    return new TokenProblems(['is not valid JSON']);
  }
  const list =
    typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as { tokens?: unknown }).tokens
      : parsed;
  if (!Array.isArray(list)) {
    return new TokenProblems([
      'must be a JSON array of { role, token, name? }, or { tokens: [...] }',
    ]);
  }
  const raw = list.map((item): RawEntry => {
    if (typeof item !== 'object' || item === null) return { role: undefined, token: undefined };
    const { role, token, name } = item as Record<string, unknown>;
    return { role, token, name };
  });
  return toEntries(raw, (i) => `entry ${i + 1}`, '{ role, token, name? }');
}

function toEntries(
  raw: readonly RawEntry[],
  where: (index: number) => string,
  shape: string,
): TokenEntry[] | TokenProblems {
  const problems: string[] = [];
  const entries: TokenEntry[] = [];
  const positions: number[] = []; // of each entry in `raw`, to name the first of two repeats
  raw.forEach(({ role, token, name }, i) => {
    const problem = problemOf(role, token, name, shape);
    if (problem) {
      problems.push(`${where(i)}: ${problem}`);
      return;
    }
    const hash = hashToken(token as string);
    const first = entries.findIndex((entry) => entry.hash.equals(hash));
    if (first !== -1) {
      problems.push(`${where(i)} repeats the token of ${where(positions[first]!)}`);
      return;
    }
    const label = typeof name === 'string' && name !== '' ? name : `${role as string}-${i + 1}`;
    entries.push({ role: role as TokenEntry['role'], name: label, hash });
    positions.push(i);
  });
  return problems.length > 0 ? new TokenProblems(problems) : entries;
}

function problemOf(
  role: unknown,
  token: unknown,
  name: unknown,
  shape: string,
): string | undefined {
  if (typeof role !== 'string' || typeof token !== 'string') return `expected ${shape}`;
  if (!isRole(role)) return 'the role must be admin, operator or read-only';
  if (!TOKEN_SYNTAX.test(token)) {
    return 'the token may hold letters, digits and - . _ ~ + / only (and = at the end)';
  }
  if (token.length < MIN_TOKEN_LENGTH || token.length > MAX_TOKEN_LENGTH) {
    return `the token must be ${MIN_TOKEN_LENGTH} to ${MAX_TOKEN_LENGTH} characters long`;
  }
  if (name !== undefined && (typeof name !== 'string' || !NAME.test(name))) {
    return "the name must be 1-64 letters, digits, '_', '.', '@' or '-'";
  }
  return undefined;
}
