import { describe, expect, it } from 'vitest';
import { parseCommandSubject, subjects } from '@pool/contracts';

describe('subjects', () => {
  it('names a pool events subject under the root', () => {
    expect(subjects('t1').events('p1')).toBe('t1.p1.events');
  });

  it('names the sender of a command in its subject, and reads it back', () => {
    const subject = subjects('t1').command('p1', 'StartVm', { role: 'operator', user: 'alice' });
    expect(subject).toBe('t1.p1.cmd.operator.alice.StartVm');
    expect(parseCommandSubject(subject)).toEqual({
      root: 't1',
      pool: 'p1',
      sender: { role: 'operator', user: 'alice' },
      name: 'StartVm',
    });
  });

  it.each([
    't1.p1.cmd.StartVm',
    't1.p1.cmd.operator.StartVm',
    't1.p1.cmd.a.b.StartVm.x',
    't1.p1.x.a.b.C',
  ])('reads no command from %s', (subject) => expect(parseCommandSubject(subject)).toBeUndefined());
});
