import { describe, expect, it } from 'vitest';
import { planTail, toAppend, type TailMessage } from './stream-tail.js';

const LOG = 'log-a';

/** A message of pool p1 at `version` (event id `e<version>` unless given), of log `LOG`. */
const msg = (
  seq: number,
  version: number,
  extra: { id?: string; logId?: string; type?: string; commandId?: string } = {},
): TailMessage => ({
  seq,
  logId: extra.logId ?? LOG,
  envelope: {
    id: extra.id ?? `e${version}`,
    pool: 'p1',
    version,
    position: `1:${seq}:${seq}`,
    type: extra.type ?? 'PoolRenamed',
    schemaVersion: 1,
    data: { poolId: 'p1', name: `n${version}` },
    metadata: extra.commandId ? { commandId: extra.commandId } : {},
    createdAt: '2026-12-07T00:00:00.000Z',
  },
});

const stream = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => msg(i + 1, from + i));

describe('planTail', () => {
  it('takes the versions above the head, tied to it by its event id', () => {
    const plan = planTail('p1', LOG, { version: 3, eventId: 'e3' }, stream(1, 6));
    expect(plan.refused).toBeUndefined();
    expect(plan).toMatchObject({ logHead: 3, streamHead: 6 });
    expect(plan.events.map((e) => e.version)).toEqual([4, 5, 6]);
  });

  it('takes the whole stream of a pool the log does not have', () => {
    const plan = planTail('p1', LOG, { version: 0, eventId: undefined }, stream(1, 2));
    expect(plan.events.map((e) => e.version)).toEqual([1, 2]);
  });

  it('has nothing to do when the log is at the stream head', () => {
    const plan = planTail('p1', LOG, { version: 6, eventId: 'e6' }, stream(1, 6));
    expect(plan.refused).toBeUndefined();
    expect(plan.events).toEqual([]);
  });

  it('keeps one copy of a republished event and skips other logs', () => {
    const messages = [...stream(1, 4), msg(5, 4), msg(6, 5), msg(7, 9, { logId: 'log-b' })];
    const plan = planTail('p1', LOG, { version: 3, eventId: 'e3' }, messages);
    expect(plan.events.map((e) => e.version)).toEqual([4, 5]);
    expect(plan.otherLogMessages).toBe(1);
  });

  it('refuses a log past the stream', () => {
    const plan = planTail('p1', LOG, { version: 8, eventId: 'x8' }, stream(1, 6));
    expect(plan.refused?.reason).toBe('log-past');
    expect(plan.events).toEqual([]);
  });

  it('refuses a log whose head is another event than the stream has (written after the restore)', () => {
    const plan = planTail('p1', LOG, { version: 4, eventId: 'new4' }, stream(1, 6));
    expect(plan.refused?.reason).toBe('diverged');
  });

  it('refuses a gap, a stream that lost the head, and two events for one version', () => {
    const gap = [...stream(1, 4), msg(5, 6)];
    expect(planTail('p1', LOG, { version: 3, eventId: 'e3' }, gap).refused?.reason).toBe('gap');
    expect(
      planTail('p1', LOG, { version: 3, eventId: 'e3' }, [msg(1, 4), msg(2, 5)]).refused?.reason,
    ).toBe('untied');
    const twice = [...stream(1, 5), msg(6, 5, { id: 'other5' })];
    expect(planTail('p1', LOG, { version: 3, eventId: 'e3' }, twice).refused?.reason).toBe(
      'conflict',
    );
  });

  it('refuses an event the domain cannot read', () => {
    const messages = [...stream(1, 3), msg(4, 4, { type: 'NoSuchEvent' })];
    const plan = planTail('p1', LOG, { version: 3, eventId: 'e3' }, messages);
    expect(plan.refused?.reason).toBe('undecodable');
  });
});

describe('toAppend', () => {
  it('keeps event ids and groups consecutive events by command id', () => {
    const events = [
      msg(1, 1, { commandId: 'c1' }),
      msg(2, 2, { commandId: 'c1' }),
      msg(3, 3, { commandId: 'c2' }),
    ].map((m) => m.envelope!);
    const { events: out, commands } = toAppend(events);
    expect(out.map((e) => e.eventId)).toEqual(['e1', 'e2', 'e3']);
    expect(commands).toEqual([
      { commandId: 'c1', eventCount: 2 },
      { commandId: 'c2', eventCount: 1 },
    ]);
  });

  it('names no commands when an event has no command id', () => {
    const events = [msg(1, 1, { commandId: 'c1' }), msg(2, 2)].map((m) => m.envelope!);
    expect(toAppend(events).commands).toBeUndefined();
  });
});
