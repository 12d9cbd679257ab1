import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AsyncJetStreamPublisher, JetStreamPublishError } from '@pool/event-store';
import { createTestNats } from '../../../../test/support/nats.js';

let nats: Awaited<ReturnType<typeof createTestNats>>;
let publisher: AsyncJetStreamPublisher;
let subject: string;

beforeAll(async () => {
  nats = await createTestNats();
  subject = `${nats.root}.p.events`;
  await nats.jsm.streams.add({ name: nats.eventsStream, subjects: [`${nats.root}.*.events`] });
  publisher = new AsyncJetStreamPublisher(nats.nc, 300);
});
afterAll(async () => {
  publisher.close();
  await nats.close();
});

describe('AsyncJetStreamPublisher', () => {
  it('resolves each publish with its own stream sequence, in publish order', async () => {
    const before = (await nats.jsm.streams.info(nats.eventsStream)).state.last_seq;
    const acks = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        publisher.publish(subject, JSON.stringify({ i }), { msgID: randomUUID() }),
      ),
    );
    expect(acks.map((a) => a.seq)).toEqual(acks.map((_, i) => before + i + 1));
    expect(acks.every((a) => a.stream === nats.eventsStream && !a.duplicate)).toBe(true);
  });

  it('marks a message JetStream already has by msg id as a duplicate', async () => {
    const msgID = randomUUID();
    const first = await publisher.publish(subject, 'x', { msgID });
    const again = await publisher.publish(subject, 'x', { msgID });
    expect(again).toEqual({ ...first, duplicate: true });
  });

  it('refuses a message whose expected last msg id is not the stream’s last', async () => {
    const refused = publisher.publish(subject, 'x', {
      msgID: randomUUID(),
      expectLastMsgID: randomUUID(),
    });
    await expect(refused).rejects.toBeInstanceOf(JetStreamPublishError);
    await expect(refused).rejects.toThrow(/wrong last msg ID/i);
  });

  it('fails a publish no stream takes, rather than waiting for its timeout', async () => {
    const started = performance.now();
    const lost = publisher.publish(`${nats.root}.nowhere`, 'x', { msgID: randomUUID() });
    await expect(lost).rejects.toMatchObject({ code: 503 });
    expect(performance.now() - started).toBeLessThan(300);
  });

  it('fails a publish nobody acknowledges in time; later ones still work', async () => {
    const silent = `${nats.root}.silent`;
    const sub = nats.nc.subscribe(silent); // takes the message, never answers
    const unanswered = publisher.publish(silent, 'x', { msgID: randomUUID() });
    await expect(unanswered).rejects.toMatchObject({ code: 408 });
    sub.unsubscribe();
    await expect(publisher.publish(subject, 'y', { msgID: randomUUID() })).resolves.toMatchObject({
      stream: nats.eventsStream,
    });
  });

  it('fails what is unanswered when closed, and refuses publishes after', async () => {
    const silent = `${nats.root}.silent2`;
    const sub = nats.nc.subscribe(silent);
    const closing = new AsyncJetStreamPublisher(nats.nc, 60_000);
    const unanswered = closing.publish(silent, 'x', { msgID: randomUUID() });
    closing.close();
    await expect(unanswered).rejects.toBeInstanceOf(JetStreamPublishError);
    await expect(closing.publish(subject, 'x', { msgID: randomUUID() })).rejects.toThrow(/closed/);
    sub.unsubscribe();
  });
});
