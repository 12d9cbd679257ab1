import {
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  type Provider,
} from '@nestjs/common';
import { POOL_STREAM_PREFIX, poolIdOfStream } from '@pool/contracts';
import { PostgresEventStore, streamsBehindIndex } from '@pool/event-store';
import { PoolLeadership } from '../commands/pool-leadership.js';
import { PoolHistory } from './pool-history.js';

/** Which pools this replica leads, and word when it wins one. */
export interface LedPools {
  isLeading(pool: string): boolean;
  onWon(listener: (pool: string) => void): () => void;
}

/** How long after an append the keeper catches up: appends in between share one run. */
const SETTLE_MS = 1000;

/**
 * Keeps every pool's history ready as its log grows (issue 22): after appends commit (and
 * once at boot, for a log written before the index existed) it indexes the new events and
 * leaves the history snapshots, in the background, so no read has to fold a long log first.
 * A read that finds the index behind catches it up itself (`PoolStateFolder.catchUp`), so
 * answers never depend on the keeper being done. Each replica keeps only the pools it leads:
 * one replica per pool indexes it (no duplicate folds, no two transactions racing for one
 * pool's mark), and a pool is kept on the replica that appends to it. A pool won from another
 * replica is caught up at once (its history may be behind from before the handover); a pool
 * nobody leads is caught up by its next read or when it is next led.
 */
export class HistoryKeeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('HistoryKeeper');
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private readonly unsubscribe: (() => void)[] = [];

  constructor(
    private readonly store: PostgresEventStore,
    private readonly history: PoolHistory,
    private readonly led: LedPools,
  ) {}

  onApplicationBootstrap(): void {
    this.unsubscribe.push(
      this.store.onCommitted(() => this.schedule()),
      this.led.onWon(() => this.schedule()),
    );
    this.schedule();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    this.unsubscribe.forEach((stop) => stop());
    clearTimeout(this.timer);
    await this.running;
  }

  private schedule(): void {
    if (this.stopped || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.running) this.again = true;
      else this.running = this.run().finally(() => (this.running = undefined));
    }, SETTLE_MS);
    this.timer.unref();
  }

  private async run(): Promise<void> {
    do {
      this.again = false;
      let behind: string[];
      try {
        behind = await streamsBehindIndex(this.store.pool, POOL_STREAM_PREFIX);
      } catch (error) {
        this.logger.warn(`cannot read which pools' history is behind: ${String(error)}`);
        return;
      }
      for (const streamId of behind) {
        if (this.stopped) return;
        const pool = poolIdOfStream(streamId);
        if (pool !== undefined && this.led.isLeading(pool)) await this.keep(pool);
      }
    } while (this.again && !this.stopped);
  }

  /** One pool's catch-up; a failure is that pool's alone, the others are still kept. */
  private async keep(pool: string): Promise<void> {
    // A read racing the keeper (or two leaders for a moment, in a handover) retries inside
    // catchUp from the winner's mark; what still fails is left to the next run or read.
    try {
      await this.history.catchUp(pool);
    } catch (error) {
      this.logger.warn(`cannot keep pool ${pool}'s history: ${String(error)}`);
    }
  }
}

export const historyKeeperProvider: Provider = {
  provide: HistoryKeeper,
  inject: [PostgresEventStore, PoolHistory, PoolLeadership],
  useFactory: (
    store: PostgresEventStore,
    history: PoolHistory,
    leadership: PoolLeadership<never, never, unknown>,
  ) =>
    new HistoryKeeper(store, history, {
      isLeading: (pool) => leadership.leading(pool) !== undefined,
      onWon: (listener) => leadership.onWon(listener),
    }),
};
