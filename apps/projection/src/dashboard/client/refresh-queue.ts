/**
 * Coalesces refetches: per key at most one request in flight and one queued, and a minimum gap
 * between two requests of the same key. A pool with hundreds of hosts sends many `host` events
 * a second; the page refetches each section a few times a second at most, always ending with a
 * fetch that started after the last event.
 */

export interface Timers {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

interface KeyState {
  running: boolean;
  /** Asked again while running: run once more when done. */
  dirty: boolean;
  timer: unknown;
  lastStartedAt: number;
}

export class RefreshQueue<K extends string> {
  private readonly keys = new Map<K, KeyState>();
  private generation = 0;

  constructor(
    /** Loads one key; `generation` tells stale completions (after `reset`) from current ones. */
    private readonly load: (key: K, generation: number) => Promise<void>,
    private readonly minGapMs: number,
    private readonly timers: Timers,
  ) {}

  get currentGeneration(): number {
    return this.generation;
  }

  request(keys: Iterable<K>): void {
    for (const key of keys) this.requestOne(key);
  }

  /** Forgets queued work (another pool was picked); in-flight loads finish as stale. */
  reset(): void {
    this.generation += 1;
    for (const state of this.keys.values()) {
      if (state.timer !== null) this.timers.clearTimeout(state.timer);
    }
    this.keys.clear();
  }

  private requestOne(key: K): void {
    let state = this.keys.get(key);
    if (!state) {
      state = { running: false, dirty: false, timer: null, lastStartedAt: -Infinity };
      this.keys.set(key, state);
    }
    if (state.running) {
      state.dirty = true;
      return;
    }
    // Already queued: the queued run starts later than this request, so it covers it.
    if (state.timer !== null) return;
    const wait = state.lastStartedAt + this.minGapMs - this.timers.now();
    if (wait > 0) {
      const queued = state;
      queued.timer = this.timers.setTimeout(() => {
        queued.timer = null;
        this.run(key, queued);
      }, wait);
      return;
    }
    this.run(key, state);
  }

  private run(key: K, state: KeyState): void {
    const generation = this.generation;
    state.running = true;
    state.dirty = false;
    state.lastStartedAt = this.timers.now();
    void this.load(key, generation)
      .catch(() => undefined) // the loader reports its own failures
      .finally(() => {
        if (generation !== this.generation) return;
        state.running = false;
        if (state.dirty) this.requestOne(key);
      });
  }
}
