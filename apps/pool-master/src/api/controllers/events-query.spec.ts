import { describe, expect, it } from 'vitest';
import { parseEventsQuery } from './events.controller.js';

const code = (query: Record<string, unknown>) => {
  try {
    parseEventsQuery(query);
    return 'accepted';
  } catch (error) {
    return (error as { code: string }).code;
  }
};

describe('parseEventsQuery', () => {
  it('reads from the start, 100 at a time, by default', () => {
    expect(parseEventsQuery({})).toEqual({ after: 0, limit: 100 });
  });

  it('takes after ≥ 0 and 1 ≤ limit ≤ 1000', () => {
    expect(parseEventsQuery({ after: '41', limit: '1000' })).toEqual({ after: 41, limit: 1000 });
    expect(parseEventsQuery({ after: '0', limit: '1' })).toEqual({ after: 0, limit: 1 });
  });

  it.each([
    [{ after: '-1' }, 'BAD_AFTER'],
    [{ after: '1.5' }, 'BAD_AFTER'],
    [{ after: '' }, 'BAD_AFTER'],
    [{ after: ['1', '2'] }, 'BAD_AFTER'],
    [{ limit: '0' }, 'BAD_LIMIT'],
    [{ limit: '1001' }, 'BAD_LIMIT'],
    [{ limit: 'all' }, 'BAD_LIMIT'],
    [{ from: '3' }, 'UNKNOWN_QUERY_PARAMETER'],
  ])('refuses %j with %s', (query, expected) => {
    expect(code(query)).toBe(expected);
  });
});
