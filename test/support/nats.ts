import { randomBytes } from 'node:crypto';
import { jetstream, jetstreamManager, type JsMsg } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { natsUrl } from './services.js';

/**
 * A NATS connection and a subject root and stream names of the suite's own, so suites sharing
 * one server never capture each other's subjects.
 */
export async function createTestNats() {
  const nc: NatsConnection = await connect({ servers: natsUrl() });
  const suffix = randomBytes(4).toString('hex');
  const root = `t${suffix}`;
  const eventsStream = `POOLNET_EVENTS_${suffix.toUpperCase()}`;
  const reportsStream = `POOLNET_REPORTS_${suffix.toUpperCase()}`;
  const jsm = await jetstreamManager(nc);
  return {
    nc,
    js: jetstream(nc),
    jsm,
    root,
    eventsStream,
    reportsStream,
    /** Every message of a stream, in stream order. */
    readStream: async (stream: string): Promise<JsMsg[]> => {
      const info = await jsm.streams.info(stream);
      const total = info.state.messages;
      if (total === 0) return [];
      const consumer = await jetstream(nc).consumers.get(stream);
      const messages: JsMsg[] = [];
      while (messages.length < total) {
        const batch = await consumer.fetch({
          max_messages: total - messages.length,
          expires: 2000,
        });
        for await (const m of batch) messages.push(m);
      }
      return messages;
    },
    close: async () => {
      for (const stream of [eventsStream, reportsStream]) {
        await jsm.streams.delete(stream).catch(() => undefined);
      }
      await nc.drain();
    },
  };
}
