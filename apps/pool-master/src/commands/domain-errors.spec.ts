import { DomainError, POOL_ERROR_KINDS, type PoolErrorCode } from '@pool/domain';
import { describe, expect, it } from 'vitest';
import { CommandError } from './command-errors.js';
import { toCommandError } from './domain-errors.js';

const refusal = (code: PoolErrorCode) =>
  toCommandError(new DomainError(code, POOL_ERROR_KINDS[code], `${code} happened`, { id: 'x' }));

describe('toCommandError', () => {
  it.each(Object.keys(POOL_ERROR_KINDS) as PoolErrorCode[])(
    'gives %s the status of its kind, with its code, sentence and details',
    (code) => {
      const status = { invalid: 400, not_found: 404, conflict: 409 }[POOL_ERROR_KINDS[code]];
      expect(refusal(code).toWire()).toEqual({
        status,
        code,
        message: `${code} happened`,
        details: { id: 'x' },
      });
    },
  );

  // The refusals of security groups and address sets (issue 17 item 3), as the API documents them.
  it.each([
    ['ADDRESS_SET_NOT_FOUND', 404],
    ['SECURITY_GROUP_NOT_FOUND', 404],
    ['SECURITY_GROUP_MEMBER_NOT_FOUND', 404],
    ['ADDRESS_SET_IN_USE', 409],
    ['SECURITY_GROUP_IN_USE', 409],
    ['SECURITY_GROUP_MEMBER_EXISTS', 409],
    ['ADDRESS_SET_NAME_IN_USE', 409],
    ['SECURITY_GROUP_NAME_IN_USE', 409],
    ['ADDRESS_SET_TOO_LARGE', 400],
    ['INVALID_MATCH', 400],
  ] as const)('answers %s with %i', (code, status) => {
    expect(refusal(code).status).toBe(status);
  });

  it('keeps a CommandError and hides any other failure behind INTERNAL', () => {
    const given = new CommandError(412, 'VERSION_MISMATCH', 'stale');
    expect(toCommandError(given)).toBe(given);
    expect(toCommandError(new Error('db down')).toWire()).toEqual({
      status: 500,
      code: 'INTERNAL',
      message: 'The command failed unexpectedly; see the server log.',
      details: undefined,
    });
  });
});
