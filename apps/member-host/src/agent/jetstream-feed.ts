import {
  AckPolicy,
  DeliverPolicy,
  jetstream,
  jetstreamManager,
  type ConsumerConfig,
  type ConsumerInfo,
  type JsMsg,
} from '@nats-io/jetstream';
import { nanos, type NatsConnection } from '@nats-io/transport-node';
import { LOG_ID_HEADER } from '@pool/contracts';
import { decodeEnvelope } from './envelope.js';
import type { EventFeed, FeedMessage, LiveFeed } from './feed.js';
import { PULL_EXPIRES_MS } from '@pool/platform';

export interface JetStreamFeedOptions {
  pool: string;
  stream: string;
  /** `<root>.<pool>.events`. */
  subject: string;
  /** The durable consumer's name, one per pool and host. */
  durable: string;
  /** Replay batch size: events folded, persisted and converged together. */
  batch?: number;
  /** A replay that waits this long for its next message ends early (default 5 s). */
  stallMs?: number;
}

/**
 * The host's view of `<root>.<pool>.events`. Live, a durable pull consumer of its own with
 * explicit acks and `max_ack_pending: 1`, so a redelivery can never overtake a later event
 * (eventsourcing-anchors §b.5). Behind, an ordered consumer (ephemeral, in order, no acks)
 * replays in bulk; the durable is then re-created right after what was replayed. Ending a
 * replay early is always safe: the durable starts after whatever was folded in.
 */
export class JetStreamFeed implements EventFeed {
  private readonly js;

  constructor(
    private readonly nc: NatsConnection,
    private readonly options: JetStreamFeedOptions,
  ) {
    this.js = jetstream(nc);
  }

  async bounds(): Promise<{ firstSeq: number; lastSeq: number }> {
    const jsm = await jetstreamManager(this.nc);
    const { state } = await jsm.streams.info(this.options.stream);
    return { firstSeq: state.first_seq, lastSeq: state.last_seq };
  }

  async *replay(afterSeq: number, signal: AbortSignal): AsyncGenerator<FeedMessage[]> {
    const { stream, subject } = this.options;
    const size = this.options.batch ?? 2000;
    const consumer = await this.js.consumers.get(stream, {
      filter_subjects: subject,
      opt_start_seq: afterSeq + 1,
    });
    if ((await consumer.info(true)).num_pending === 0) {
      await consumer.delete().catch(() => undefined);
      return;
    }
    const messages = await consumer.consume({ max_messages: size * 2 });
    const stop = () => messages.stop();
    signal.addEventListener('abort', stop);
    void (async () => {
      // Messages gone between the count and the fetch (retention) must not leave it waiting.
      for await (const status of messages.status()) {
        if (status.type === 'heartbeats_missed') messages.stop();
      }
    })();
    // And neither may a consumer that stopped pulling: seen after a reconnect with messages
    // pending, no pull outstanding and so no heartbeat to miss (the library's monitor is off
    // while disconnected). Only time spent waiting for the next message counts, never the
    // host's own work on a batch.
    const watch = new StallWatch(this.options.stallMs ?? 5_000, stop);
    try {
      let batch: FeedMessage[] = [];
      for await (const m of messages) {
        watch.progressed = true;
        const message = this.toFeed(m, false);
        batch.push(message);
        const last = message.pending === 0;
        if (last || batch.length >= size) {
          watch.paused = true;
          yield batch;
          watch.resume();
          batch = [];
        }
        if (last || signal.aborted) break;
      }
      // Stopped early (a stall, missed heartbeats): what was read still counts, and the
      // caller comes back for the rest.
      if (batch.length > 0 && !signal.aborted) yield batch;
    } finally {
      watch.close();
      signal.removeEventListener('abort', stop);
      messages.stop();
      await consumer.delete().catch(() => undefined);
    }
  }

  async follow(afterSeq: number): Promise<LiveFeed> {
    const { stream, durable } = this.options;
    await this.positionDurable(afterSeq);
    const consumer = await this.js.consumers.get(stream, durable);
    // A consumer deleted under the host (by an operator, a stream re-created) ends the feed
    // instead of leaving it waiting forever; the host then re-creates it where it stands.
    const messages = await consumer.consume({
      max_messages: 16,
      abort_on_missing_resource: true,
      expires: PULL_EXPIRES_MS,
    });
    void (async () => {
      for await (const status of messages.status()) {
        const silent = status.type === 'heartbeats_missed' && status.count >= 3;
        if (silent || status.type === 'consumer_deleted') messages.stop();
      }
    })();
    const toFeed = (m: JsMsg) => this.toFeed(m, true);
    return {
      stop: () => messages.stop(),
      async *[Symbol.asyncIterator]() {
        for await (const m of messages) yield toFeed(m);
      },
    };
  }

  /**
   * Keeps the durable when it would deliver exactly what follows `afterSeq` (a plain restart),
   * else re-creates it there: after a replay, a snapshot, or a state dir restored from backup.
   */
  private async positionDurable(afterSeq: number): Promise<void> {
    const { stream, durable, subject } = this.options;
    const jsm = await jetstreamManager(this.nc);
    const info = await jsm.consumers.info(stream, durable).catch((error: unknown) => {
      if (isNotFound(error)) return undefined;
      throw error;
    });
    if (info && sameConsumer(info, subject) && info.ack_floor.stream_seq === afterSeq) {
      if (info.num_ack_pending === 0) return;
    }
    if (info) await jsm.consumers.delete(stream, durable);
    const config: Partial<ConsumerConfig> = {
      durable_name: durable,
      filter_subject: subject,
      ack_policy: AckPolicy.Explicit,
      // One event in flight: a redelivered event can never be applied after a later one.
      max_ack_pending: 1,
      deliver_policy: DeliverPolicy.StartSequence,
      opt_start_seq: afterSeq + 1,
      // Bounded: a message the host keeps failing on is given up after ~10 minutes; the next
      // one then shows a gap and the host resyncs from a snapshot.
      max_deliver: 10,
      backoff: [5, 15, 30, 60, 120].map((s) => nanos(s * 1000)),
      // The host's state dir, not the consumer, says where the host stands: it positions the
      // durable from its own sequence every time it follows. So the consumer's ack state needs
      // no disk of its own, which would cost NATS a write per host per event (measured: about a
      // third of the server's CPU at 100 hosts). A NATS restart loses it; the host re-creates
      // it where it stands, as after any lost consumer.
      mem_storage: true,
    };
    await jsm.consumers.add(stream, config);
  }

  /** Called for every message of a replay: allocates as little as it can (GC dominates). */
  private toFeed(m: JsMsg, live: boolean): FeedMessage {
    const info = m.info; // parsed from the reply subject on every access
    const decoded = decodeEnvelope(m.data, this.options.pool);
    const message: FeedMessage = {
      seq: info.streamSequence,
      pending: info.pending,
      redelivered: info.redelivered,
      ack: live ? () => m.ack() : noAck,
    };
    if ('error' in decoded) message.problem = decoded.error;
    else {
      message.envelope = decoded.envelope;
      message.raw = decoded.raw;
      const logId = m.headers?.get(LOG_ID_HEADER);
      if (logId) message.logId = logId;
    }
    return message;
  }
}

const noAck = (): void => undefined;

/**
 * Calls `onStall` once no message arrived for one to two periods of `ms` while not paused.
 * Two field writes per message, no timer per message: a replay runs at 50k+ messages/s.
 */
class StallWatch {
  progressed = false;
  paused = false;
  private readonly timer: NodeJS.Timeout;

  constructor(ms: number, onStall: () => void) {
    this.timer = setInterval(() => {
      if (!this.paused && !this.progressed) onStall();
      this.progressed = false;
    }, ms);
    this.timer.unref();
  }

  resume(): void {
    this.paused = false;
    this.progressed = true;
  }

  close(): void {
    clearInterval(this.timer);
  }
}

const sameConsumer = (info: ConsumerInfo, subject: string): boolean =>
  info.config.filter_subject === subject &&
  info.config.ack_policy === AckPolicy.Explicit &&
  info.config.max_ack_pending === 1 &&
  info.config.mem_storage === true;

const isNotFound = (error: unknown): boolean =>
  (error as { name?: string }).name === 'ConsumerNotFoundError' ||
  /consumer not found/i.test(String((error as { message?: string }).message));
