import { describe, expect, it } from 'vitest';
import { replayPool, serializePoolState } from '@pool/domain';
import { decodeEnvelope } from './envelope.js';
import { classify, PoolReplica } from './replica.js';
import { envelopeOf, POOL, poolEvents } from './testing/fake-feed.js';

describe('classify', () => {
  it.each([
    [1, 0, 'next'],
    [5, 4, 'next'],
    [4, 4, 'duplicate'],
    [1, 4, 'duplicate'],
    [6, 4, 'gap'],
    [2, 0, 'gap'],
  ] as const)('version %i after %i is %s', (version, applied, verdict) => {
    expect(classify(version, applied)).toBe(verdict);
  });
});

describe('PoolReplica', () => {
  it('folds events in order to the state the log replays to', () => {
    const events = poolEvents(2);
    const replica = new PoolReplica();
    events.forEach((event, i) => replica.apply(envelopeOf(event, i + 1)));
    expect(replica.version).toBe(events.length);
    expect(serializePoolState(replica.state)).toEqual(serializePoolState(replayPool(events)));
  });

  it('refuses a version twice or out of order, changing nothing', () => {
    const events = poolEvents(1);
    const replica = new PoolReplica();
    replica.apply(envelopeOf(events[0]!, 1));
    const before = serializePoolState(replica.state);
    expect(() => replica.apply(envelopeOf(events[0]!, 1))).toThrow(/does not follow/);
    expect(() => replica.apply(envelopeOf(events[2]!, 3))).toThrow(/does not follow/);
    expect(serializePoolState(replica.state)).toEqual(before);
    expect(replica.version).toBe(1);
  });
});

describe('decodeEnvelope', () => {
  const bytes = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
  const good = envelopeOf(poolEvents(0)[0]!, 1);

  it('reads an event of the pool', () => {
    expect(decodeEnvelope(bytes(good), POOL)).toEqual({
      envelope: good,
      raw: JSON.stringify(good),
    });
  });

  it.each([
    ['not JSON', new TextEncoder().encode('{'), /JSON/],
    ['another pool', bytes({ ...good, pool: 'other' }), /pool other/],
    ['a bad version', bytes({ ...good, version: 0 }), /version/],
    ['no type', bytes({ ...good, type: 7 }), /type/],
  ])('refuses %s', (_, data, problem) => {
    const decoded = decodeEnvelope(data, POOL);
    expect('error' in decoded && decoded.error).toMatch(problem);
  });
});
