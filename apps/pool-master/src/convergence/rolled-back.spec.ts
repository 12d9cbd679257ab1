import { describe, expect, it } from 'vitest';
import { ConvergenceTracker } from './convergence-tracker.js';

const committed = { commandId: 'c-1' };
const held = (followedVersion: number) => ({
  version: 4,
  refusedVersion: 5,
  followedVersion,
  reason: 'NATS did not answer within 30000 ms',
  since: '2026-01-01T00:00:00.000Z',
});

describe('?wait=hosts and a host that rolled a change back', () => {
  it('answers with the rollback once the host has read the version and still holds below it', async () => {
    const tracker = new ConvergenceTracker();
    const waiting = tracker.waitFor('p', 5, ['h1', 'h2'], 5_000, committed);
    tracker.record({ pool: 'p', host: 'h1', appliedVersion: 5 });
    // A hold reported before h2 read version 5 says nothing about it yet.
    tracker.record({
      pool: 'p',
      host: 'h2',
      appliedVersion: 4,
      held: { ...held(4), refusedVersion: 3 },
    });
    tracker.record({ pool: 'p', host: 'h2', appliedVersion: 4, held: held(5) });
    const error = await waiting.then(
      () => undefined,
      (e: unknown) => e as { status: number; code: string; message: string; details: unknown },
    );
    expect(error).toMatchObject({ status: 409, code: 'HOST_NETWORK_ROLLED_BACK' });
    expect(error?.message).toContain('h2 (rolled back version 5, holds 4');
    expect(error?.details).toMatchObject({
      version: 5,
      commandId: 'c-1',
      rolledBack: [{ host: 'h2', refusedVersion: 5, heldVersion: 4 }],
    });
  });

  it('answers at once a command waiting on a host already held past it, and not after the hold lifts', async () => {
    const tracker = new ConvergenceTracker();
    tracker.record({ pool: 'p', host: 'h1', appliedVersion: 4, held: held(6) });
    await expect(tracker.waitFor('p', 6, ['h1'], 5_000, committed)).rejects.toMatchObject({
      code: 'HOST_NETWORK_ROLLED_BACK',
    });
    tracker.record({ pool: 'p', host: 'h1', appliedVersion: 7 });
    await expect(tracker.waitFor('p', 7, ['h1'], 5_000, committed)).resolves.toEqual({ h1: 7 });
  });
});
