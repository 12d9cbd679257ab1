import { randomUUID } from 'node:crypto';
import { isExpectedVersionConflictError } from '@event-driven-io/emmett';
import { type PostgresEventStore as EmmettStore } from '@event-driven-io/emmett-postgresql';
import {
  decidePool,
  evolvePool,
  initialPoolState,
  type PoolCommand,
  type PoolState,
} from '@pool/domain';
import { openEmmett } from '../append.bench.js';

/**
 * The pool master's job done on Emmett's PostgreSQL store, for the commands bench to compare
 * like with like: the same decider (`@pool/domain`), the pool's state in memory, the pool's log
 * as one stream, every command appended with the stream's expected version (the pool's
 * invariants, a MAC unique in the pool say, hold only if nothing was appended since the
 * decision). Emmett appends one call at a time and has no group commit, so a writer of one
 * stream either queues its commands (`serial`) or lets them race and retries the losers
 * (`optimistic`). No transport sits in front of it: its figures are an upper bound for a master
 * built this way.
 */
export class EmmettPoolWriter {
  private state: PoolState = initialPoolState();
  /** Emmett counts stream positions from 1; 0 is a stream that does not exist yet. */
  private version = 0n;
  private tail: Promise<unknown> = Promise.resolve();
  /** Commands written, and appends refused on the expected version (`optimistic` retries). */
  appended = 0;
  conflicts = 0;

  private constructor(
    private readonly store: EmmettStore,
    private readonly closeStore: () => Promise<void>,
    private readonly stream: string,
  ) {}

  /** Opens a writer of a new pool (created here) on its own pool of `poolMax` connections. */
  static async open(url: string, poolId: string, poolMax: number): Promise<EmmettPoolWriter> {
    const { store, close } = openEmmett(url, poolMax);
    const writer = new EmmettPoolWriter(store, close, `pool-${poolId}`);
    await writer.serial(command('CreatePool', { poolId, name: `Pool ${poolId}` }));
    return writer;
  }

  /** One command at a time, in arrival order: each waits for the append before it. */
  serial(cmd: PoolCommand): Promise<void> {
    const run = this.tail.then(() => this.decideAndAppend(cmd));
    this.tail = run.catch(() => undefined);
    return run;
  }

  /**
   * Decided and appended at once, whatever else is in flight; an append that lost the race for
   * its version is decided again on the state the winner left and retried.
   */
  async optimistic(cmd: PoolCommand): Promise<void> {
    for (;;) {
      try {
        return await this.decideAndAppend(cmd);
      } catch (error) {
        if (!isExpectedVersionConflictError(error)) throw error;
        this.conflicts++;
      }
    }
  }

  close(): Promise<void> {
    return this.closeStore();
  }

  private async decideAndAppend(cmd: PoolCommand): Promise<void> {
    const expected = this.version;
    const events = decidePool(cmd, this.state);
    const metadata = { actor: 'bench', at: cmd.metadata.now, commandId: randomUUID() };
    const result = await this.store.appendToStream(
      this.stream,
      events.map((e) => ({ type: e.type, data: e.data, metadata })),
      { expectedStreamVersion: expected },
    );
    // Appends to one stream succeed in version order, so winners evolve the state in order.
    for (const event of events) this.state = evolvePool(this.state, event);
    this.version = result.nextExpectedStreamVersion;
    this.appended++;
  }
}

/** A command as the master's entry builds it (time and actor added). */
export function command<T extends PoolCommand['type']>(
  type: T,
  data: Extract<PoolCommand, { type: T }>['data'],
): PoolCommand {
  return {
    type,
    data,
    metadata: { now: new Date().toISOString(), actor: 'bench' },
  } as PoolCommand;
}
