import { randomBytes } from 'node:crypto';
import { jetstream, jetstreamManager, type JsMsg } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { subjects, type NatsSender } from '@pool/contracts';
import { natsUrl } from './services.js';

/** The sender of the suites' NATS commands, recorded as actor `nats:e2e`. */
export const E2E_ADMIN: NatsSender = { role: 'admin', user: 'e2e' };

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
    /**
     * A command's subject under this root, sent as `sender` (admin `e2e` unless told): this
     * server has no users, so the subject's sender is whoever the test says.
     */
    commandSubject: (pool: string, type: string, sender: NatsSender = E2E_ADMIN) =>
      subjects(root).command(pool, type, sender),
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
