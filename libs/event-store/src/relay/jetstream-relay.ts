import { headers, type MsgHdrs } from '@nats-io/transport-node';
import { loadCheckpoint, storeCheckpoint } from '../checkpoints.js';
import { formatPosition } from '../log-position.js';
import { type PostgresEventStore } from '../postgres-event-store.js';
import { type LogPosition, type RecordedEvent } from '../types.js';
import { type JetStreamPublisher, type PubAck } from './async-publisher.js';

export interface RelayMessage {
  subject: string;
  payload: Uint8Array | string;
  /** Headers besides the relay's own (the stream, version, position and type of the event). */
  headers?: Readonly<Record<string, string>>;
}

export interface RelayOptions {
  store: PostgresEventStore;
  /** An `AsyncJetStreamPublisher` on the relay's NATS connection. */
  publisher: JetStreamPublisher;
  /** Maps a committed event to the subject and payload it is published with. */
  toMessage: (event: RecordedEvent) => RelayMessage;
  checkpointName?: string;
  batchSize?: number;
  /** Poll interval when idle; a NOTIFY from the append wakes the relay sooner. */
  idleMs?: number;
  /**
   * The checkpoint is stored at most this often (default 1 s) and when the relay stops. A
   * relay that dies republishes from the stored one: JetStream drops what it already has by
   * msg id, so a staler checkpoint costs a longer republish, never a duplicate. Under load a
   * store per batch was a committed transaction (a WAL flush) per group commit.
   */
  checkpointEveryMs?: number;
  onBatch?: (stats: { published: number; duplicates: number; position: LogPosition }) => void;
  onError?: (error: unknown) => void;
}

/**
 * The log is the outbox: the relay publishes committed events, in commit order, to JetStream
 * with `Nats-Msg-Id = event id`, and advances its checkpoint only after every PubAck of the
 * batch (storing it now and then: see `checkpointEveryMs`). On any failure the whole batch is
 * published again from the checkpoint: the broker drops what it already has by msg id, and
 * never retrying a single message keeps the order.
 */
export class JetStreamRelay {
  private readonly name: string;
  private wake: (() => void) | undefined;
  private position: LogPosition | undefined;
  /** The position last written to `es_checkpoints`, and when. */
  private stored: LogPosition | undefined;
  private storedAt = 0;
  /** After a failed batch, publish the next one in turn (publishInTurn). */
  private inTurn = false;

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
    this.stored = this.position;
    let failures = 0;
    while (!signal.aborted) {
      try {
        const published = await this.relayBatch(this.position);
        failures = 0;
        this.inTurn = false;
        await this.storeCheckpoint(this.options.checkpointEveryMs ?? 1000);
        if (published === 0) await this.idle(this.options.idleMs ?? 20, signal);
      } catch (error) {
        this.options.onError?.(error);
        failures++;
        this.inTurn = true;
        await this.idle(Math.min(2000, 50 * 2 ** failures), signal);
        this.position = await loadCheckpoint(db, this.name).catch(() => this.position!);
        this.stored = this.position;
      }
    }
    // Where a successor starts: everything up to here has its PubAck.
    await this.storeCheckpoint(0).catch((error: unknown) => this.options.onError?.(error));
  }

  /** Publishes one batch after `from`; returns how many (`run` keeps the checkpoint). */
  async relayBatch(from: LogPosition): Promise<number> {
    const events = await this.options.store.readAll(from, this.options.batchSize ?? 1000);
    if (events.length === 0) return 0;
    const acks = this.inTurn
      ? await this.publishInTurn(events)
      : await Promise.allSettled(events.map((event, i) => this.publish(event, events[i - 1])));
    const failed = acks.find((a): a is PromiseRejectedResult => a.status === 'rejected');
    if (failed) throw failed.reason;
    const position = events[events.length - 1]!.position;
    this.position = position;
    const duplicates = acks.filter((a) => (a as PromiseFulfilledResult<PubAck>).value.duplicate);
    this.options.onBatch?.({ published: events.length, duplicates: duplicates.length, position });
    return events.length;
  }

  /** Wakes an idle relay (on NOTIFY es_events, or an append of this process committing). */
  notify(): void {
    this.wake?.();
  }

  /** Writes the position if it moved and the last write is at least `everyMs` old. */
  private async storeCheckpoint(everyMs: number): Promise<void> {
    const position = this.position;
    if (position === undefined || position === this.stored) return;
    if (performance.now() - this.storedAt < everyMs) return;
    await storeCheckpoint(this.options.store.pool, this.name, position);
    this.stored = position;
    this.storedAt = performance.now();
  }

  /**
   * The batch after a failure, one message at a time, each after the last one's ack, unchained.
   * The chain checks the stream's last stored message, and a duplicate is not stored: republished
   * events that are not the stream's tail (a log restored behind its stream, a tail the recovery
   * refused) followed by a new event would refuse that event on every retry, and the relay would
   * publish nothing more. Awaiting each ack keeps the order the chain protects.
   */
  private async publishInTurn(events: RecordedEvent[]): Promise<PromiseSettledResult<PubAck>[]> {
    const acks: PromiseSettledResult<PubAck>[] = [];
    for (const event of events) {
      try {
        acks.push({ status: 'fulfilled', value: await this.publish(event, undefined) });
      } catch (reason) {
        acks.push({ status: 'rejected', reason });
        break;
      }
    }
    return acks;
  }

  private publish(event: RecordedEvent, previous: RecordedEvent | undefined): Promise<PubAck> {
    const { subject, payload, headers: extra } = this.options.toMessage(event);
    return this.options.publisher.publish(subject, payload, {
      msgID: event.eventId,
      headers: eventHeaders(event, extra),
      // Chained within a batch: if one message is lost, the ones after it are refused rather
      // than stored out of order; the republished batch then fills in from the gap.
      expectLastMsgID: previous?.eventId,
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

function eventHeaders(event: RecordedEvent, extra: RelayMessage['headers']): MsgHdrs {
  const h = headers();
  for (const [name, value] of Object.entries(extra ?? {})) h.set(name, value);
  h.set('Poolnet-Stream', event.streamId);
  h.set('Poolnet-Version', String(event.streamVersion));
  h.set('Poolnet-Position', formatPosition(event.position));
  h.set('Poolnet-Type', event.type);
  return h;
}
