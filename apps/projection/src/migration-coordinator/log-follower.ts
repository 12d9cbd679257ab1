import {
  LOG_START,
  type PostgresEventStore,
  type RecordedEvent,
  listenForAppends,
} from '@pool/event-store';

export interface LogFollowerOptions {
  store: PostgresEventStore;
  /** For the LISTEN connection that wakes the follower when an append commits. */
  databaseUrl: string;
  /** Handles one batch, in commit order; `caughtUp` once the log had nothing more. */
  onBatch: (events: RecordedEvent[], caughtUp: boolean) => void;
  /** Poll interval when no NOTIFY comes (a lost NOTIFY only costs this much). */
  idleMs?: number;
  batchSize?: number;
}

/**
 * Follows the whole log in commit order from its start (PostgresEventStore.readAll, with its
 * xmin fence, so no event committed late is ever skipped), woken by the append's NOTIFY.
 * Nothing is checkpointed: a coordinator that starts (or takes over) folds the log again,
 * which is what lets it resume a migration half-way without any state of its own.
 */
export class LogFollower {
  constructor(private readonly o: LogFollowerOptions) {}

  async run(signal: AbortSignal): Promise<void> {
    let wake: (() => void) | undefined;
    let failure: Error | undefined;
    // Set by a NOTIFY that arrives while a read is running, so it is not slept through.
    let notified = false;
    const listener = await listenForAppends({
      databaseUrl: this.o.databaseUrl,
      applicationName: 'poolnet-migration-coordinator-listen',
      onAppend: () => {
        notified = true;
        wake?.();
      },
      onError: (error) => {
        failure = error;
        wake?.();
      },
    });
    try {
      let position = LOG_START;
      const batchSize = this.o.batchSize ?? 1000;
      while (!signal.aborted) {
        if (failure) throw failure;
        const events = await this.o.store.readAll(position, batchSize);
        const last = events.at(-1);
        if (last) position = last.position;
        const caughtUp = events.length < batchSize;
        if (events.length > 0 || caughtUp) this.o.onBatch(events, caughtUp);
        if (!caughtUp) continue;
        if (notified) {
          notified = false;
          continue;
        }
        await new Promise<void>((resolve) => {
          const timer = setTimeout(done, this.o.idleMs ?? 1000);
          function done() {
            notified = false;
            clearTimeout(timer);
            signal.removeEventListener('abort', done);
            wake = undefined;
            resolve();
          }
          wake = done;
          signal.addEventListener('abort', done);
        });
      }
    } finally {
      await listener.close();
    }
  }
}
