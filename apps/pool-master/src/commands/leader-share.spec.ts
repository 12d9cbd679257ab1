import { describe, expect, it } from 'vitest';
import { placeUnled, planHandovers, shareCap } from './leader-share.js';

const pools = (n: number) => Array.from({ length: n }, (_, i) => `p${i}`);

describe('leader share', () => {
  it('caps each replica at the smallest share that fits every pool', () => {
    expect(shareCap(new Map([['a', 100]]))).toBe(100);
    expect(
      shareCap(
        new Map([
          ['a', 50],
          ['b', 50],
          ['c', 0],
        ]),
      ),
    ).toBe(34);
    expect(
      shareCap(
        new Map([
          ['a', 33],
          ['b', 33],
          ['c', 33],
        ]),
        1,
      ),
    ).toBe(34);
  });

  it('hands the excess of a replica over its cap to those under theirs, fewest first', () => {
    const shares = new Map([
      ['a', 50],
      ['b', 30],
      ['c', 20],
    ]);
    const plan = planHandovers('a', shares, pools(50));
    expect(plan).toHaveLength(50 - 34);
    const to = (replica: string) => plan.filter((p) => p.to === replica).length;
    expect(30 + to('b')).toBeLessThanOrEqual(34);
    expect(20 + to('c')).toBeLessThanOrEqual(34);
    expect(new Set(plan.map((p) => p.pool)).size).toBe(plan.length);
  });

  it('moves nothing once every replica is within its cap', () => {
    const shares = new Map([
      ['a', 34],
      ['b', 33],
      ['c', 33],
    ]);
    expect(planHandovers('a', shares, pools(34))).toEqual([]);
    expect(planHandovers('a', new Map([['a', 10]]), pools(10))).toEqual([]);
  });

  it('places a pool nobody leads here while there is room, elsewhere when not', () => {
    expect(placeUnled('a', new Map([['a', 0]]))).toBe('a');
    const shares = new Map([
      ['a', 10],
      ['b', 4],
      ['c', 7],
    ]);
    expect(placeUnled('b', shares)).toBe('b');
    expect(placeUnled('a', shares)).toBe('b');
  });
});
