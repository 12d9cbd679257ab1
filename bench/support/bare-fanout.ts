import {
  AckPolicy,
  DeliverPolicy,
  jetstream,
  jetstreamManager,
  type ConsumerMessages,
} from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { PULL_EXPIRES_MS } from '@pool/platform';
import { epochMs, inParallel } from './fleet.js';

/**
 * The worker side of the converge bench's fan-out limit: consumers that do nothing but receive
 * and ack, so the time for one message to reach all of them is what JetStream alone costs on
 * this machine for that many consumers, in as many processes as the hosts ran in.
 */
export class BareFanout {
  private readonly streams: ConsumerMessages[] = [];
  /** Per stream sequence: how many of this worker's consumers have it, and when the last did. */
  private readonly counts = new Map<number, number>();
  private readonly complete = new Map<number, number>();
  private readonly waiting = new Map<number, (at: number) => void>();
  private consumers = 0;

  constructor(private readonly nc: NatsConnection) {}

  async start(stream: string, names: string[]): Promise<void> {
    const jsm = await jetstreamManager(this.nc);
    const js = jetstream(this.nc);
    this.consumers = names.length;
    await inParallel(names, 50, async (name) => {
      await jsm.consumers.add(stream, {
        durable_name: name,
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.New,
        max_ack_pending: 1,
      });
      const messages = await (
        await js.consumers.get(stream, name)
      ).consume({
        expires: PULL_EXPIRES_MS,
      });
      this.streams.push(messages);
      void (async () => {
        for await (const m of messages) {
          m.ack();
          this.count(m.seq);
        }
      })();
    });
  }

  received(seq: number): Promise<number> {
    const at = this.complete.get(seq);
    if (at !== undefined) return Promise.resolve(at);
    return new Promise((resolve) => this.waiting.set(seq, resolve));
  }

  stop(): void {
    for (const messages of this.streams) messages.stop();
  }

  private count(seq: number): void {
    const n = (this.counts.get(seq) ?? 0) + 1;
    this.counts.set(seq, n);
    if (n < this.consumers) return;
    const at = epochMs();
    this.counts.delete(seq);
    this.complete.set(seq, at);
    this.waiting.get(seq)?.(at);
    this.waiting.delete(seq);
  }
}
