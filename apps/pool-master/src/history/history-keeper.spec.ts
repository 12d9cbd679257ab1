import { afterEach, describe, expect, it, vi } from 'vitest';
import type * as EventStore from '@pool/event-store';
import { type PostgresEventStore } from '@pool/event-store';
import { HistoryKeeper, type LedPools } from './history-keeper.js';
import { type PoolHistory } from './pool-history.js';

vi.mock('@pool/event-store', async (original) => ({
  ...(await original<typeof EventStore>()),
  // Three pools' history behind the log, as the index query would say.
  streamsBehindIndex: vi.fn(() => Promise.resolve(['pool:a', 'pool:b', 'pool:c'])),
}));

/** A store whose commits are announced by hand, and a history that records what it caught up. */
function keeperOf(leading: Set<string>) {
  const committed = new Set<() => void>();
  const store = {
    pool: {},
    onCommitted: (listener: () => void) => {
      committed.add(listener);
      return () => committed.delete(listener);
    },
  } as unknown as PostgresEventStore;
  const caughtUp: string[] = [];
  const history = {
    catchUp: (pool: string) => {
      caughtUp.push(pool);
      return Promise.resolve();
    },
  } as unknown as PoolHistory;
  const won = new Set<(pool: string) => void>();
  const led: LedPools = {
    isLeading: (pool) => leading.has(pool),
    onWon: (listener) => {
      won.add(listener);
      return () => won.delete(listener);
    },
  };
  const keeper = new HistoryKeeper(store, history, led);
  return {
    keeper,
    caughtUp,
    commit: () => committed.forEach((listener) => listener()),
    win: (pool: string) => {
      leading.add(pool);
      won.forEach((listener) => listener(pool));
    },
  };
}

describe('HistoryKeeper', () => {
  afterEach(() => vi.useRealTimers());

  it('keeps only the history of the pools this replica leads', async () => {
    vi.useFakeTimers();
    const { keeper, caughtUp, commit } = keeperOf(new Set(['b']));
    keeper.onApplicationBootstrap();
    commit();
    await vi.advanceTimersByTimeAsync(1500);
    expect(caughtUp).toEqual(['b']);
    await keeper.onApplicationShutdown();
  });

  it('catches up a pool as soon as this replica wins it', async () => {
    vi.useFakeTimers();
    const { keeper, caughtUp, win } = keeperOf(new Set());
    keeper.onApplicationBootstrap();
    await vi.advanceTimersByTimeAsync(1500);
    expect(caughtUp).toEqual([]);
    win('c');
    await vi.advanceTimersByTimeAsync(1500);
    expect(caughtUp).toEqual(['c']);
    await keeper.onApplicationShutdown();
  });
});
