import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashToken, type TokenEntry } from './bearer-tokens.js';
import { parseTokenFile, parseTokenList, readTokenFile, TokenProblems } from './token-parsing.js';

const ADMIN = 'admin-token-0123456789';
const OPERATOR = 'operator-token-abcdef';
const READER = 'reader.token~with+b64/chars==';

const entries = (result: TokenEntry[] | TokenProblems): TokenEntry[] => {
  if (result instanceof TokenProblems) throw new Error(result.problems.join('; '));
  return result;
};
const problems = (result: TokenEntry[] | TokenProblems): readonly string[] =>
  result instanceof TokenProblems ? result.problems : [];
const summary = (list: TokenEntry[]) => list.map(({ role, name }) => `${role}/${name}`);

describe('parseTokenList (AUTH_TOKENS)', () => {
  it('reads role:token[:name] entries and keeps only hashes', () => {
    const list = entries(parseTokenList(` admin:${ADMIN}:ops , read-only:${READER},`));

    expect(summary(list)).toEqual(['admin/ops', 'read-only/read-only-2']);
    expect(list[0]!.hash.equals(hashToken(ADMIN))).toBe(true);
    expect(JSON.stringify(list)).not.toContain(ADMIN);
  });

  it('is empty for an empty list', () => {
    expect(entries(parseTokenList(' , '))).toEqual([]);
  });

  it('names every bad entry by position, never by value', () => {
    const result = parseTokenList(
      [
        `root:${ADMIN}`,
        'admin:short',
        `${OPERATOR}`,
        'admin:bad token!!!!!!!!!',
        `admin:${ADMIN}`,
      ].join(','),
    );

    expect(problems(result)).toEqual([
      'entry 1: the role must be admin, operator or read-only',
      'entry 2: the token must be 16 to 1024 characters long',
      'entry 3: expected role:token[:name]',
      'entry 4: the token may hold letters, digits and - . _ ~ + / only (and = at the end)',
    ]);
    expect(problems(result).join(' ')).not.toMatch(/root|short|token-0123|bad token/);
  });

  it('refuses the same token twice, naming the first', () => {
    expect(problems(parseTokenList(`admin:${ADMIN},read-only:${ADMIN}`))).toEqual([
      'entry 2 repeats the token of entry 1',
    ]);
  });
});

describe('parseTokenFile (AUTH_TOKENS_FILE)', () => {
  it('reads lines of role token [name], skipping blanks and comments', () => {
    const text = [
      '# who may do what',
      `admin    ${ADMIN}   ops-team`,
      '',
      `operator ${OPERATOR}  # the VM scheduler`,
      `read-only ${READER}`,
    ].join('\n');

    expect(summary(entries(parseTokenFile(text)))).toEqual([
      'admin/ops-team',
      'operator/operator-2',
      'read-only/read-only-3',
    ]);
  });

  it('names bad lines by their line number in the file', () => {
    const text = [
      '# header',
      `admin ${ADMIN} name extra`,
      `operator`,
      `read-only ${ADMIN} bad/name`,
    ].join('\r\n');

    expect(problems(parseTokenFile(text))).toEqual([
      "line 2: expected 'role token [name]'",
      "line 3: expected 'role token [name]'",
    ]);
    expect(problems(parseTokenFile(`admin ${ADMIN}\nread-only ${READER} bad/name`))).toEqual([
      "line 2: the name must be 1-64 letters, digits, '_', '.', '@' or '-'",
    ]);
    expect(problems(parseTokenFile(`admin ${ADMIN}\n\noperator ${ADMIN}`))).toEqual([
      'line 3 repeats the token of line 1',
    ]);
  });

  it('reads JSON: a list, or { tokens: [...] }', () => {
    const list = [
      { role: 'admin', token: ADMIN, name: 'ops' },
      { role: 'operator', token: OPERATOR },
    ];

    expect(summary(entries(parseTokenFile(JSON.stringify(list))))).toEqual([
      'admin/ops',
      'operator/operator-2',
    ]);
    expect(summary(entries(parseTokenFile(JSON.stringify({ tokens: list }))))).toEqual([
      'admin/ops',
      'operator/operator-2',
    ]);
  });

  it('refuses bad JSON without quoting it', () => {
    expect(problems(parseTokenFile(`[{"role":"admin","token":"${ADMIN}"`))).toEqual([
      'is not valid JSON',
    ]);
    expect(problems(parseTokenFile('{"admin":"x"}'))).toEqual([
      'must be a JSON array of { role, token, name? }, or { tokens: [...] }',
    ]);
    expect(problems(parseTokenFile(`[{"role":"admin","token":42}, "${ADMIN}"]`))).toEqual([
      'entry 1: expected { role, token, name? }',
      'entry 2: expected { role, token, name? }',
    ]);
  });
});

describe('readTokenFile', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'poolnet-tokens-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads the file once', async () => {
    const path = join(dir, 'tokens');
    await writeFile(path, `operator ${OPERATOR}\n`);

    expect(summary(entries(readTokenFile(path)))).toEqual(['operator/operator-1']);
  });

  it('says why a file cannot be read, without its contents', () => {
    expect(problems(readTokenFile(join(dir, 'missing')))).toEqual(['cannot be read (ENOENT)']);
  });
});
