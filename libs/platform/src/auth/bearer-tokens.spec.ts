import { describe, expect, it } from 'vitest';
import { AccessControl, AccessDenied } from './access-control.js';
import { bearerTokenOf, BearerTokens, hashToken, type TokenEntry } from './bearer-tokens.js';
import { grants } from './roles.js';

const ADMIN = 'admin-token-0123456789';
const OPERATOR = 'operator-token-abcdef';
const READER = 'reader-token-abcdef01';
const entry = (role: TokenEntry['role'], token: string, name: string = role): TokenEntry => ({
  role,
  name,
  hash: hashToken(token),
});
const tokens = new BearerTokens(
  [entry('admin', ADMIN), entry('operator', OPERATOR)],
  [entry('read-only', READER, 'dashboard')],
);

describe('grants', () => {
  it('orders the roles read-only < operator < admin', () => {
    expect(grants('admin', 'operator')).toBe(true);
    expect(grants('operator', 'operator')).toBe(true);
    expect(grants('operator', 'read-only')).toBe(true);
    expect(grants('operator', 'admin')).toBe(false);
    expect(grants('read-only', 'operator')).toBe(false);
  });
});

describe('BearerTokens', () => {
  it('matches a token to its entry across sources', () => {
    expect(tokens.match(READER)?.name).toBe('dashboard');
    expect(tokens.match(ADMIN)?.role).toBe('admin');
  });

  it('matches nothing else: not a prefix, a longer token or a case change', () => {
    for (const wrong of [ADMIN.slice(0, -1), `${ADMIN}x`, ADMIN.toUpperCase(), '']) {
      expect(tokens.match(wrong)).toBeUndefined();
    }
  });

  it('refuses a token configured in two sources, by name', () => {
    expect(
      () => new BearerTokens([entry('admin', ADMIN, 'a')], [entry('read-only', ADMIN, 'b')]),
    ).toThrow("bearer tokens 'a' and 'b' are the same token");
  });

  it('describes itself by roles and counts only', () => {
    expect(tokens.describe()).toBe('3 (read-only 1, operator 1, admin 1)');
  });
});

describe('bearerTokenOf', () => {
  it.each([
    [`Bearer ${ADMIN}`, ADMIN],
    [`bearer ${ADMIN}`, ADMIN],
    [`BEARER   ${ADMIN} `, ADMIN],
  ])('reads %j', (header, token) => {
    expect(bearerTokenOf(header)).toBe(token);
  });

  it('is undefined without a header', () => {
    expect(bearerTokenOf(undefined)).toBeUndefined();
  });

  it.each([
    [`Basic ${ADMIN}`],
    [ADMIN],
    ['Bearer'],
    ['Bearer '],
    [`Bearer ${ADMIN} extra`],
    ['Bearer tok"en'],
    [[`Bearer ${ADMIN}`, `Bearer ${READER}`]],
  ])('refuses %j as malformed', (header) => {
    expect(bearerTokenOf(header)).toBeNull();
  });
});

describe('AccessControl', () => {
  const access = new AccessControl(tokens);
  const refusal = (header: string | undefined, needed: TokenEntry['role']) => {
    try {
      access.authorize(header, needed);
    } catch (error) {
      if (error instanceof AccessDenied) return { status: error.status, code: error.code };
      throw error;
    }
    return 'allowed';
  };

  it('lets a role do what it or a weaker role may', () => {
    expect(access.authorize(`Bearer ${OPERATOR}`, 'read-only')).toEqual({
      name: 'operator',
      role: 'operator',
    });
    expect(refusal(`Bearer ${ADMIN}`, 'admin')).toBe('allowed');
    expect(refusal(`Bearer ${READER}`, 'read-only')).toBe('allowed');
  });

  it('answers 401 UNAUTHENTICATED for a missing, malformed or unknown token', () => {
    const unauthenticated = { status: 401, code: 'UNAUTHENTICATED' };
    expect(refusal(undefined, 'read-only')).toEqual(unauthenticated);
    expect(refusal(`Token ${ADMIN}`, 'read-only')).toEqual(unauthenticated);
    expect(refusal('Bearer not-a-configured-token', 'read-only')).toEqual(unauthenticated);
  });

  it('answers 403 FORBIDDEN for a known token without the role', () => {
    expect(refusal(`Bearer ${READER}`, 'operator')).toEqual({ status: 403, code: 'FORBIDDEN' });
    expect(refusal(`Bearer ${OPERATOR}`, 'admin')).toEqual({ status: 403, code: 'FORBIDDEN' });
  });

  it('never puts the token in a refusal', () => {
    try {
      access.authorize(`Bearer ${READER}`, 'admin');
    } catch (error) {
      expect((error as Error).message).toBe(
        'This needs the admin role or above; the token has read-only.',
      );
    }
    expect.assertions(1);
  });

  it('is open, everyone admin, without any token', () => {
    const open = new AccessControl(new BearerTokens());
    expect(open.open).toBe(true);
    expect(open.authorize(undefined, 'admin')).toEqual({ name: 'anonymous', role: 'admin' });
  });
});
