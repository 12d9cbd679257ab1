import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RefreshQueue, type Timers } from './refresh-queue.js';

const timers: Timers = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as Parameters<typeof clearTimeout>[0]),
};

/** A loader whose calls stay open until the test settles them. */
function gatedLoader() {
  const calls: { key: string; generation: number; done: () => void }[] = [];
  const load = (key: string, generation: number) =>
    new Promise<void>((resolve) => calls.push({ key, generation, done: resolve }));
  return { calls, load };
}

const flush = () => vi.advanceTimersByTimeAsync(0);

describe('RefreshQueue', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('loads at once, and coalesces requests made while loading into one more load', async () => {
    const { calls, load } = gatedLoader();
    const queue = new RefreshQueue<string>(load, 0, timers);
    queue.request(['hosts']);
    expect(calls.map((c) => c.key)).toEqual(['hosts']);
    queue.request(['hosts']);
    queue.request(['hosts']);
    queue.request(['hosts']);
    expect(calls).toHaveLength(1);
    calls[0]!.done();
    await flush();
    expect(calls).toHaveLength(2); // one more, started after the last request
    calls[1]!.done();
    await flush();
    expect(calls).toHaveLength(2);
  });

  it('keeps keys independent', () => {
    const { calls, load } = gatedLoader();
    const queue = new RefreshQueue<string>(load, 0, timers);
    queue.request(['hosts', 'vms', 'hosts']);
    expect(calls.map((c) => c.key)).toEqual(['hosts', 'vms']);
  });

  it('spaces two loads of a key by the minimum gap', async () => {
    const { calls, load } = gatedLoader();
    const queue = new RefreshQueue<string>(load, 250, timers);
    queue.request(['switch']);
    calls[0]!.done();
    await flush();
    queue.request(['switch']);
    queue.request(['switch']);
    expect(calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(249);
    expect(calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toHaveLength(2);
  });

  it('drops queued work on reset and tells stale loads by their generation', async () => {
    const { calls, load } = gatedLoader();
    const queue = new RefreshQueue<string>(load, 250, timers);
    queue.request(['vms']);
    queue.request(['vms']); // dirty: would run again
    queue.reset();
    calls[0]!.done();
    await vi.advanceTimersByTimeAsync(1000);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.generation).not.toBe(queue.currentGeneration);
    queue.request(['vms']);
    expect(calls).toHaveLength(2);
    expect(calls[1]!.generation).toBe(queue.currentGeneration);
  });

  it('goes on after a failed load', async () => {
    let n = 0;
    const queue = new RefreshQueue<string>(
      () => (++n === 1 ? Promise.reject(new Error('503')) : Promise.resolve()),
      0,
      timers,
    );
    queue.request(['pool']);
    await flush();
    queue.request(['pool']);
    await flush();
    expect(n).toBe(2);
  });
});
