import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConvergenceTracker } from './convergence-tracker.js';

const committed = { commandId: 'c-1' };
const report = (host: string, appliedVersion: number, pool = 'p') => ({
  pool,
  host,
  appliedVersion,
});

describe('ConvergenceTracker', () => {
  afterEach(() => vi.useRealTimers());

  it('resolves once every listed host reported the version, with what each applied', async () => {
    const tracker = new ConvergenceTracker();
    let done = false;
    const waiting = tracker.waitFor('p', 5, ['h1', 'h2'], 1_000, committed).then((hosts) => {
      done = true;
      return hosts;
    });
    tracker.record(report('h1', 7));
    tracker.record(report('h2', 4)); // behind still
    tracker.record(report('h3', 9)); // not a host this command waits for
    tracker.record(report('h2', 5, 'other')); // another pool's host of the same name
    await Promise.resolve();
    expect(done).toBe(false);
    tracker.record(report('h2', 5));
    await expect(waiting).resolves.toEqual({ h1: 7, h2: 5 });
  });

  it('resolves at once when the hosts are already there', async () => {
    const tracker = new ConvergenceTracker();
    tracker.record(report('h1', 3));
    await expect(tracker.waitFor('p', 3, ['h1'], 1_000, committed)).resolves.toEqual({ h1: 3 });
    await expect(tracker.waitFor('p', 3, [], 1_000, committed)).resolves.toEqual({});
  });

  it("lists the VIFs waiting for their device as each host's newest report says", () => {
    const tracker = new ConvergenceTracker();
    const ports = (...waiting: string[]) => [
      { vif: 'v0', ready: true, forwarding: true },
      ...waiting.map((vif) => ({ vif, ready: true, forwarding: false, plugged: false as const })),
    ];
    tracker.record({ ...report('h1', 5), ports: ports('v2', 'v1') });
    tracker.record({ ...report('h2', 5), ports: ports('v3') });
    expect(tracker.notPlugged('p', ['h1', 'h2'])).toEqual([
      { hostId: 'h1', vifId: 'v1' },
      { hostId: 'h1', vifId: 'v2' },
      { hostId: 'h2', vifId: 'v3' },
    ]);
    expect(tracker.notPlugged('p', ['h2'])).toEqual([{ hostId: 'h2', vifId: 'v3' }]);
    // A device appears: same version, newer report. A late older report changes nothing.
    tracker.record({ ...report('h1', 5), ports: ports('v2') });
    tracker.record({ ...report('h1', 4), ports: ports('v1', 'v2') });
    expect(tracker.notPlugged('p', ['h1'])).toEqual([{ hostId: 'h1', vifId: 'v2' }]);
    expect(tracker.notPlugged('other', ['h1'])).toEqual([]);
  });

  it('never moves a host backwards (a late, older report)', () => {
    const tracker = new ConvergenceTracker();
    tracker.record(report('h1', 8));
    tracker.record(report('h1', 6));
    expect(tracker.appliedVersions('p')).toEqual({ h1: 8 });
  });

  it('times out naming the hosts still behind and what they applied', async () => {
    vi.useFakeTimers();
    const tracker = new ConvergenceTracker();
    tracker.record(report('h1', 5));
    tracker.record(report('h2', 2));
    const waiting = tracker.waitFor('p', 5, ['h1', 'h2', 'h3'], 500, committed);
    const outcome = expect(waiting).rejects.toMatchObject({
      status: 504,
      code: 'CONVERGENCE_TIMEOUT',
      details: {
        version: 5,
        commandId: 'c-1',
        behind: [
          { host: 'h2', appliedVersion: 2 },
          { host: 'h3', appliedVersion: null },
        ],
      },
    });
    await vi.advanceTimersByTimeAsync(500);
    await outcome;
  });
});
