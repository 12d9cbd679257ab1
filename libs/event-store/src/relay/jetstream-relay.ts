import { type JetStreamClient, type PubAck } from '@nats-io/jetstream';
import { headers, type MsgHdrs } from '@nats-io/transport-node';
import { loadCheckpoint, storeCheckpoint } from '../checkpoints.js';
import { formatPosition } from '../log-position.js';
import { type PostgresEventStore } from '../postgres-event-store.js';
import { type LogPosition, type RecordedEvent } from '../types.js';

export interface RelayMessage {
  subject: string;
  payload: Uint8Array | string;
}

export interface RelayOptions {
  store: PostgresEventStore;
  js: JetStreamClient;
  /** Maps a committed event to the subject and payload it is published with. */
  toMessage: (event: RecordedEvent) => RelayMessage;
  checkpointName?: string;
  batchSize?: number;
  /** Poll interval when idle; a NOTIFY from the append wakes the relay sooner. */
  idleMs?: number;
  publishTimeoutMs?: number;
  onBatch?: (stats: { published: number; duplicates: number; position: LogPosition }) => void;
  onError?: (error: unknown) => void;
}

/**
 * The log is the outbox: the relay publishes committed events, in commit order, to JetStream
 * with `Nats-Msg-Id = event id`, and advances its checkpoint only after every PubAck of the
 * batch. On any failure the whole batch is published again from the checkpoint: the broker
 * drops what it already has by msg id, and never retrying a single message keeps the order.
 */
export class JetStreamRelay {
  private readonly name: string;
  private wake: (() => void) | undefined;
  private position: LogPosition | undefined;

  constructor(private readonly options: RelayOptions) {
    this.name = options.checkpointName ?? 'relay';
  }

  get checkpoint(): LogPosition | undefined {
    return this.position;
  }

  /** Runs until the signal aborts (leadership lost, shutdown). */
  async run(signal: AbortSignal): Promise<void> {
    const db = this.options.store.pool;
    this.position = await loadCheckpoint(db, this.name);
    let failures = 0;
    while (!signal.aborted) {
      try {
        const published = await this.relayBatch(this.position);
        failures = 0;
        if (published === 0) await this.idle(this.options.idleMs ?? 20, signal);
      } catch (error) {
        this.options.onError?.(error);
        failures++;
        await this.idle(Math.min(2000, 50 * 2 ** failures), signal);
        this.position = await loadCheckpoint(db, this.name).catch(() => this.position!);
      }
    }
  }

  /** Publishes one batch after `from` and stores the checkpoint; returns the number published. */
  async relayBatch(from: LogPosition): Promise<number> {
    const events = await this.options.store.readAll(from, this.options.batchSize ?? 1000);
    if (events.length === 0) return 0;
    const acks = await Promise.allSettled(
      events.map((event, i) => this.publish(event, events[i - 1])),
    );
    const failed = acks.find((a): a is PromiseRejectedResult => a.status === 'rejected');
    if (failed) throw failed.reason;
    const position = events[events.length - 1]!.position;
    await storeCheckpoint(this.options.store.pool, this.name, position);
    this.position = position;
    const duplicates = acks.filter((a) => (a as PromiseFulfilledResult<PubAck>).value.duplicate);
    this.options.onBatch?.({ published: events.length, duplicates: duplicates.length, position });
    return events.length;
  }

  /** Wakes an idle relay (called on NOTIFY es_events). */
  notify(): void {
    this.wake?.();
  }

  private publish(event: RecordedEvent, previous: RecordedEvent | undefined): Promise<PubAck> {
    const { subject, payload } = this.options.toMessage(event);
    return this.options.js.publish(subject, payload, {
      msgID: event.eventId,
      headers: eventHeaders(event),
      timeout: this.options.publishTimeoutMs ?? 5000,
      // Chained within a batch: if one message is lost, the ones after it are refused rather
      // than stored out of order; the republished batch then fills in from the gap.
      ...(previous ? { expect: { lastMsgID: previous.eventId } } : {}),
    });
  }

  private idle(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener('abort', done);
      this.wake = done;
    });
  }
}

function eventHeaders(event: RecordedEvent): MsgHdrs {
  const h = headers();
  h.set('Poolnet-Stream', event.streamId);
  h.set('Poolnet-Version', String(event.streamVersion));
  h.set('Poolnet-Position', formatPosition(event.position));
  h.set('Poolnet-Type', event.type);
  return h;
}
