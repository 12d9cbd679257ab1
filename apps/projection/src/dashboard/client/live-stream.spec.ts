import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LiveStream, type EventSourceLike, type LinkState } from './live-stream.js';
import { type Timers } from './refresh-queue.js';

class FakeSource implements EventSourceLike {
  readyState = 0;
  onopen: ((event: unknown) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  closed = false;
  private readonly listeners = new Map<string, ((event: { data?: unknown }) => void)[]>();
  constructor(readonly url: string) {}
  addEventListener(type: string, listener: (event: { data?: unknown }) => void): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }
  close(): void {
    this.closed = true;
    this.readyState = 2;
  }
  open(): void {
    this.readyState = 1;
    this.onopen?.({});
  }
  fail(readyState: 0 | 2): void {
    this.readyState = readyState;
    this.onerror?.({});
  }
  emit(type: string, data: unknown): void {
    for (const l of this.listeners.get(type) ?? []) l({ data });
  }
}

const timers: Timers = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as Parameters<typeof clearTimeout>[0]),
};

function setup() {
  const sources: FakeSource[] = [];
  const states: string[] = [];
  const changes: unknown[] = [];
  const hosts: unknown[] = [];
  let resyncs = 0;
  const stream = new LiveStream({
    url: '/api/pools/p1/stream',
    open: (url) => {
      const s = new FakeSource(url);
      sources.push(s);
      return s;
    },
    onChange: (e) => changes.push(e),
    onHost: (e) => hosts.push(e),
    onState: (state: LinkState, attempt) => states.push(`${state}:${attempt}`),
    onResync: () => (resyncs += 1),
    timers,
  });
  return { stream, sources, states, changes, hosts, resyncs: () => resyncs };
}

describe('LiveStream', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('goes live on open and hands over change and host events', () => {
    const t = setup();
    t.stream.start();
    t.sources[0]!.open();
    t.sources[0]!.emit('change', JSON.stringify({ pool: 'p1', version: 7, kinds: ['vms'] }));
    t.sources[0]!.emit('host', JSON.stringify({ pool: 'p1', hostId: 'h1', appliedVersion: 7 }));
    t.sources[0]!.emit('change', 'not json');
    t.sources[0]!.emit('change', JSON.stringify({ version: 8 })); // no kinds
    expect(t.states).toEqual(['connecting:0', 'live:0']);
    expect(t.changes).toEqual([{ pool: 'p1', version: 7, kinds: ['vms'] }]);
    expect(t.hosts).toHaveLength(1);
    expect(t.resyncs()).toBe(0);
  });

  it('shows the browser retrying by itself, and resyncs when it is back', () => {
    const t = setup();
    t.stream.start();
    t.sources[0]!.open();
    t.sources[0]!.fail(0);
    expect(t.states.at(-1)).toBe('reconnecting:1');
    t.sources[0]!.open();
    expect(t.states.at(-1)).toBe('live:0');
    expect(t.resyncs()).toBe(1);
    expect(t.sources).toHaveLength(1);
  });

  it('reconnects itself with a growing backoff when the browser gave up', async () => {
    const t = setup();
    t.stream.start();
    t.sources[0]!.fail(2); // e.g. a 503 while the projection restarts
    expect(t.sources[0]!.closed).toBe(true);
    await vi.advanceTimersByTimeAsync(999);
    expect(t.sources).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(t.sources).toHaveLength(2);
    t.sources[1]!.fail(2);
    await vi.advanceTimersByTimeAsync(1999);
    expect(t.sources).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(t.sources).toHaveLength(3);
    expect(t.states).toContain('reconnecting:2');
    t.sources[2]!.open();
    expect(t.states.at(-1)).toBe('live:0');
    expect(t.resyncs()).toBe(1);
  });

  it('stops for good: no reconnect, and late events of the old source are ignored', async () => {
    const t = setup();
    t.stream.start();
    const first = t.sources[0]!;
    t.stream.stop();
    expect(first.closed).toBe(true);
    first.fail(2);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(t.sources).toHaveLength(1);
    expect(t.states.at(-1)).toBe('stopped:0');
  });

  it('calls a silent stream lost after three missed heartbeats, and reconnects', async () => {
    const t = setup();
    t.stream.start();
    t.sources[0]!.open();
    // The server says it beats every 2 s: the bound is 6 s from the last sign of life.
    t.sources[0]!.emit('heartbeat', JSON.stringify({ intervalMs: 2_000 }));
    await vi.advanceTimersByTimeAsync(5_000);
    t.sources[0]!.emit('host', JSON.stringify({ pool: 'p1', hostId: 'h1', appliedVersion: 7 }));
    await vi.advanceTimersByTimeAsync(5_999);
    expect(t.states.at(-1)).toBe('live:0');
    expect(t.sources[0]!.closed).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    // The socket is open but dead (a stopped server): closed, and reopened after the backoff.
    expect(t.sources[0]!.closed).toBe(true);
    expect(t.states.at(-1)).toBe('reconnecting:1');
    await vi.advanceTimersByTimeAsync(1_000);
    expect(t.sources).toHaveLength(2);
    // A late event of the dead source changes nothing.
    t.sources[0]!.emit('change', JSON.stringify({ pool: 'p1', version: 9, kinds: ['vms'] }));
    expect(t.changes).toEqual([]);
    t.sources[1]!.open();
    expect(t.states.at(-1)).toBe('live:0');
    expect(t.resyncs()).toBe(1);
  });

  it('gives up on a connection that hangs before it opens', async () => {
    const t = setup();
    t.stream.start();
    await vi.advanceTimersByTimeAsync(3 * 5_000);
    expect(t.sources[0]!.closed).toBe(true);
    expect(t.states.at(-1)).toBe('reconnecting:1');
    await vi.advanceTimersByTimeAsync(1_000);
    expect(t.sources).toHaveLength(2);
    t.stream.stop();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(t.sources).toHaveLength(2);
  });
});
