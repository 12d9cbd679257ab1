import { describe, expect, it } from 'vitest';
import { subjects } from '@pool/contracts';

describe('subjects', () => {
  it('names a pool events subject under the root', () => {
    expect(subjects('t1').events('p1')).toBe('t1.p1.events');
  });
});
