import { describe, expect, it } from 'vitest';
import { nextStep, type HostView, type StepInput, type TrackedMigration } from './next-step.js';

const T0 = 1_000_000;
const TIMEOUT = 30_000;

const migration = (over: Partial<TrackedMigration> = {}): TrackedMigration => ({
  id: 'm1',
  vmId: 'vm1',
  fromHostId: 'h1',
  toHostId: 'h2',
  status: 'requested',
  requested: { version: 10, at: T0 },
  ...over,
});
const prepared = migration({ status: 'prepared', prepared: { version: 12, at: T0 + 100 } });
const activated = migration({
  status: 'activated',
  prepared: { version: 12, at: T0 + 100 },
  activated: { version: 15, at: T0 + 200 },
});

type PortState = 'ready' | 'forwarding' | 'broken';
/** A host report: version, then each VIF's port as the host has it. */
const view = (appliedVersion: number, ports: Record<string, PortState> = {}): HostView => ({
  appliedVersion,
  ports: new Map(
    Object.entries(ports).map(([vif, state]) => [
      vif,
      { ready: state !== 'broken', forwarding: state === 'forwarding' },
    ]),
  ),
});

const input = (over: Partial<StepInput>): StepInput => ({
  migration: migration(),
  facts: { vifIds: ['a', 'b'], target: 'enabled' },
  source: view(10, { a: 'forwarding', b: 'forwarding' }),
  target: undefined,
  now: T0 + 50,
  timeoutMs: TIMEOUT,
  ...over,
});

const send = (command: string) => ({ kind: 'send', command });
const waiting = { kind: 'wait', for: expect.any(String) };
const abort = (reason: RegExp) => ({ kind: 'abort', reason: expect.stringMatching(reason) });

describe('nextStep: requested', () => {
  it('prepares once the target reports every port ready at or past the request', () => {
    const target = view(10, { a: 'ready', b: 'ready' });
    expect(nextStep(input({ target }))).toEqual(send('PrepareMigration'));
    expect(nextStep(input({ target: view(11, { a: 'ready', b: 'ready' }) }))).toEqual(
      send('PrepareMigration'),
    );
  });

  it('waits for a report from before the request, a missing port or one not ready', () => {
    expect(nextStep(input({ target: undefined }))).toEqual(waiting);
    expect(nextStep(input({ target: view(9, { a: 'ready', b: 'ready' }) }))).toEqual(waiting);
    expect(nextStep(input({ target: view(10, { a: 'ready' }) }))).toEqual(waiting);
    expect(nextStep(input({ target: view(10, { a: 'ready', b: 'broken' }) }))).toEqual(waiting);
  });

  it('aborts when the target is disabled or gone', () => {
    const target = view(10, { a: 'ready', b: 'ready' });
    expect(nextStep(input({ target, facts: { vifIds: ['a'], target: 'disabled' } }))).toEqual(
      abort(/h2 was disabled/),
    );
    expect(nextStep(input({ facts: { vifIds: ['a'], target: 'missing' } }))).toEqual(
      abort(/h2 is no longer in the pool/),
    );
  });

  it('aborts once the step outlives the timeout, not before', () => {
    expect(nextStep(input({ now: T0 + TIMEOUT - 1 }))).toEqual(waiting);
    expect(nextStep(input({ now: T0 + TIMEOUT }))).toEqual(abort(/timed out after 30000 ms/));
  });

  it('prepares a VM without VIFs as soon as the target applied the request', () => {
    const facts = { vifIds: [], target: 'enabled' as const };
    expect(nextStep(input({ facts, target: view(9) }))).toEqual(waiting);
    expect(nextStep(input({ facts, target: view(10) }))).toEqual(send('PrepareMigration'));
  });
});

describe('nextStep: prepared (break before make)', () => {
  const target = view(12, { a: 'ready', b: 'ready' });

  it('activates only once the source reports, at or past prepared, that nothing forwards', () => {
    const quiet = view(12, { a: 'ready', b: 'ready' });
    expect(nextStep(input({ migration: prepared, target, source: quiet }))).toEqual(
      send('ActivateMigration'),
    );
    // Ports already gone count as not forwarding too.
    expect(nextStep(input({ migration: prepared, target, source: view(13) }))).toEqual(
      send('ActivateMigration'),
    );
  });

  it('never activates while the source may still forward', () => {
    const cases: (HostView | undefined)[] = [
      undefined, // never reported
      view(11, { a: 'ready', b: 'ready' }), // quiet, but at a version before prepared
      view(12, { a: 'ready', b: 'forwarding' }), // one port still forwards
      view(40, { a: 'forwarding' }),
    ];
    for (const source of cases) {
      expect(nextStep(input({ migration: prepared, target, source }))).toEqual(waiting);
    }
  });

  it('needs the target alive and ready at or past prepared too', () => {
    const quiet = view(12, { a: 'ready', b: 'ready' });
    for (const stale of [
      undefined,
      view(11, { a: 'ready', b: 'ready' }),
      view(12, { a: 'ready' }),
    ]) {
      expect(nextStep(input({ migration: prepared, target: stale, source: quiet }))).toEqual(
        waiting,
      );
    }
  });

  it('aborts on timeout counted from prepared, and when the target goes', () => {
    expect(nextStep(input({ migration: prepared, now: T0 + 100 + TIMEOUT - 1 }))).toEqual(waiting);
    expect(nextStep(input({ migration: prepared, now: T0 + 100 + TIMEOUT }))).toEqual(
      abort(/waiting for host h1 to stop forwarding/),
    );
    const facts = { vifIds: ['a', 'b'], target: 'disabled' as const };
    expect(nextStep(input({ migration: prepared, facts }))).toEqual(abort(/disabled/));
  });
});

describe('nextStep: activated', () => {
  const forwarding = view(15, { a: 'forwarding', b: 'forwarding' });

  it('completes once the target forwards and the source has no port left', () => {
    expect(nextStep(input({ migration: activated, target: forwarding, source: view(15) }))).toEqual(
      send('CompleteMigration'),
    );
  });

  it('waits for the target to forward every port, at or past activated', () => {
    const cases = [
      view(14, { a: 'forwarding', b: 'forwarding' }),
      view(15, { a: 'forwarding', b: 'ready' }),
      undefined,
    ];
    for (const target of cases) {
      expect(
        nextStep(input({ migration: activated, target, source: view(15), now: T0 + 99_999 })),
      ).toEqual(waiting);
    }
  });

  it('waits for the source to drop its ports, then trusts the target after the timeout', () => {
    const source = view(14, { a: 'ready', b: 'ready' });
    const at = (now: number) => input({ migration: activated, target: forwarding, source, now });
    expect(nextStep(at(T0 + 200 + TIMEOUT - 1))).toEqual(waiting);
    expect(nextStep(at(T0 + 200 + TIMEOUT))).toEqual(send('CompleteMigration'));
  });

  it('never aborts once activated: the VM already forwards on the target', () => {
    const facts = { vifIds: ['a', 'b'], target: 'disabled' as const };
    const step = nextStep(
      input({ migration: activated, facts, target: undefined, now: T0 + 10 * TIMEOUT }),
    );
    expect(step).toEqual(waiting);
  });
});
