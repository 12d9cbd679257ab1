import { poolStreamId } from '@pool/contracts';
import { type NatsConnection, type Subscription } from '@nats-io/transport-node';
import { type PostgresEventStore, type RecordedEvent } from '@pool/event-store';
import { Observable } from 'rxjs';

export interface FollowOptions {
  store: PostgresEventStore;
  /** The connection to wake on; undefined (or throwing: not connected yet) means poll only. */
  nats: () => NatsConnection | undefined;
  /** The subject the relay publishes the pool's committed events on. */
  wakeSubject: string;
  /** The longest a new event waits when no wake-up arrives. */
  pollIntervalMs: number;
  pageSize: number;
  /** Resolves once the consumer can take more; called after every page (backpressure). */
  ready: (signal: AbortSignal) => Promise<void>;
}

/**
 * A pool's events from PostgreSQL in version order, from `afterVersion + 1` on, then each new
 * one as it commits, until unsubscribed. Only the next version is ever emitted, so none is
 * skipped or repeated. The NATS events subject is only a wake-up: the log is read either way,
 * at least every `pollIntervalMs`, so a lost or missing publication only delays an event.
 */
export function followPoolEvents(
  pool: string,
  afterVersion: number,
  options: FollowOptions,
): Observable<RecordedEvent> {
  return new Observable<RecordedEvent>((subscriber) => {
    const stop = new AbortController();
    let woken = false;
    let wake: (() => void) | undefined;
    const signal = () => {
      woken = true;
      wake?.();
    };
    const subscription = subscribeQuietly(options.nats, options.wakeSubject, signal);
    stop.signal.addEventListener('abort', signal);

    const sleep = () =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(done, options.pollIntervalMs);
        function done() {
          clearTimeout(timer);
          wake = undefined;
          resolve();
        }
        if (woken) done();
        else wake = done;
      });

    const run = async () => {
      let last = afterVersion;
      while (!stop.signal.aborted) {
        woken = false;
        const page = await options.store.readStream(poolStreamId(pool), last + 1, options.pageSize);
        let gap = false;
        for (const event of page) {
          if (stop.signal.aborted) return;
          if (event.streamVersion !== last + 1) {
            gap = true; // cannot happen within one stream; re-read rather than skip
            break;
          }
          subscriber.next(event);
          last = event.streamVersion;
        }
        if (page.length > 0) await options.ready(stop.signal);
        if (page.length < options.pageSize || gap) await sleep();
      }
    };
    run().catch((error: unknown) => {
      if (!stop.signal.aborted) subscriber.error(error);
    });

    return () => {
      stop.abort();
      subscription?.unsubscribe();
    };
  });
}

function subscribeQuietly(
  nats: () => NatsConnection | undefined,
  subject: string,
  onMessage: () => void,
): Subscription | undefined {
  try {
    return nats()?.subscribe(subject, { callback: () => onMessage() });
  } catch {
    return undefined; // not connected (yet): polling alone keeps the stream going
  }
}
