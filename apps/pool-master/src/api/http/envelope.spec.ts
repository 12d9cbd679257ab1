import { describe, expect, it } from 'vitest';
import { parseEnvelope } from './envelope.js';

const code = (headers: Record<string, string | string[]>, query: Record<string, unknown> = {}) => {
  try {
    parseEnvelope(headers, query);
  } catch (error) {
    return (error as { status: number; code: string }).code;
  }
  return 'accepted';
};

describe('parseEnvelope', () => {
  it('is empty without headers or query', () => {
    expect(parseEnvelope({}, {})).toEqual({});
  });

  it('takes Idempotency-Key as the command id', () => {
    expect(parseEnvelope({ 'idempotency-key': 'retry-1' }, {})).toEqual({ commandId: 'retry-1' });
    expect(parseEnvelope({ 'idempotency-key': 'k'.repeat(128) }, {}).commandId).toHaveLength(128);
  });

  it.each([[''], ['k'.repeat(129)], ['two words'], ['tab\there'], ['é']])(
    'refuses Idempotency-Key %j',
    (key) => {
      expect(code({ 'idempotency-key': key })).toBe('BAD_IDEMPOTENCY_KEY');
    },
  );

  it.each([
    ['"12"', 12],
    ['12', 12],
    [' "0" ', 0],
  ])('takes If-Match %j as expected version %d', (value, version) => {
    expect(parseEnvelope({ 'if-match': value }, {})).toEqual({ expectedVersion: version });
  });

  it('treats If-Match * as no constraint', () => {
    expect(parseEnvelope({ 'if-match': '*' }, {})).toEqual({});
  });

  it.each([
    ['W/"12"'],
    ['"12", "13"'],
    ['-1'],
    ['1.5'],
    ['abc'],
    ['"1e3"'],
    ['9'.repeat(16)],
    [''],
  ])('refuses If-Match %j', (value) => {
    expect(code({ 'if-match': value })).toBe('BAD_IF_MATCH');
  });

  it('takes ?wait=hosts with an optional timeout', () => {
    expect(parseEnvelope({}, { wait: 'hosts' })).toEqual({ wait: 'hosts' });
    expect(parseEnvelope({}, { wait: 'hosts', timeoutMs: '2500' })).toEqual({
      wait: 'hosts',
      waitTimeoutMs: 2500,
    });
  });

  it.each([
    [{ wait: 'all' }, 'BAD_WAIT'],
    [{ wait: ['hosts', 'hosts'] }, 'BAD_WAIT'],
    [{ wait: 'hosts', timeoutMs: '0' }, 'BAD_WAIT_TIMEOUT'],
    [{ wait: 'hosts', timeoutMs: '600001' }, 'BAD_WAIT_TIMEOUT'],
    [{ wait: 'hosts', timeoutMs: '1s' }, 'BAD_WAIT_TIMEOUT'],
    [{ timeoutMs: '100' }, 'BAD_WAIT_TIMEOUT'],
    [{ wiat: 'hosts' }, 'UNKNOWN_QUERY_PARAMETER'],
  ])('refuses query %j with %s', (query, expected) => {
    expect(code({}, query)).toBe(expected);
  });
});
