import { describe, expect, it } from 'vitest';
import { CommandError } from '../../commands/command-errors.js';
import { readBody, withNewId, withPath } from './command-body.js';

const JSON_TYPE = 'application/json';
const refusal = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    if (error instanceof CommandError) return error;
    throw error;
  }
  throw new Error('accepted');
};

describe('readBody', () => {
  it('reads no body as {}', () => {
    expect(readBody(undefined, undefined)).toEqual({});
  });

  it('takes a JSON object under JSON media types', () => {
    expect(readBody({ a: 1 }, JSON_TYPE)).toEqual({ a: 1 });
    expect(readBody({ a: 1 }, 'application/json; charset=utf-8')).toEqual({ a: 1 });
    expect(readBody({ a: 1 }, 'application/merge-patch+json')).toEqual({ a: 1 });
  });

  it.each([
    ['text/plain'],
    ['application/x-www-form-urlencoded'],
    ['application/jsonp'],
    [undefined],
  ])('refuses a body sent as %s', (type) => {
    expect(refusal(() => readBody({ a: 1 }, type))).toMatchObject({
      status: 415,
      code: 'UNSUPPORTED_MEDIA_TYPE',
    });
  });

  it.each([
    [[], 'an array'],
    ['x', 'a string'],
    [3, 'a number'],
    [null, 'null'],
  ])('refuses %j as the body', (body, what) => {
    expect(refusal(() => readBody(body, JSON_TYPE))).toMatchObject({
      status: 400,
      code: 'BODY_NOT_OBJECT',
      message: `The body must be a JSON object, not ${what}.`,
    });
  });
});

describe('withPath', () => {
  it('adds the ids the URL names', () => {
    expect(withPath({ hostId: 'h' }, { vmId: 'vm' })).toEqual({ hostId: 'h', vmId: 'vm' });
  });

  it('refuses a body naming them again', () => {
    expect(refusal(() => withPath({ vmId: 'other' }, { vmId: 'vm' }))).toMatchObject({
      code: 'VALIDATION_FAILED',
      details: { fields: ['vmId'] },
    });
  });
});

describe('withNewId', () => {
  it("keeps the caller's id", () => {
    expect(withNewId({ vmId: 'mine', name: 'x' }, 'vmId')).toEqual({ vmId: 'mine', name: 'x' });
  });

  it('makes a UUID when there is none', () => {
    expect(withNewId({ name: 'x' }, 'vmId').vmId).toMatch(/^[0-9a-f-]{36}$/);
  });
});
