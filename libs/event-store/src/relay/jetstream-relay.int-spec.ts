import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AsyncJetStreamPublisher,
  ensureEventsStream,
  JetStreamRelay,
  LOG_START,
  readLogHead,
  readLogId,
  type JetStreamPublisher,
  type RecordedEvent,
  type RelayOptions,
} from '@pool/event-store';
import { createTestEventStore } from '../../../../test/support/event-store.js';
import { createTestNats } from '../../../../test/support/nats.js';

let db: Awaited<ReturnType<typeof createTestEventStore>>;
let nats: Awaited<ReturnType<typeof createTestNats>>;
let publisher: AsyncJetStreamPublisher;

beforeAll(async () => {
  db = await createTestEventStore();
  nats = await createTestNats();
  publisher = new AsyncJetStreamPublisher(nats.nc);
});
afterAll(async () => {
  publisher.close();
  await nats.close();
  await db.close();
});

const toMessage = (event: RecordedEvent) => ({
  subject: `${nats.root}.${event.streamId.split(':')[1]}.events`,
  payload: JSON.stringify({ id: event.eventId, version: event.streamVersion, data: event.data }),
});

const relay = (options: Partial<RelayOptions> & { checkpointName: string }) =>
  new JetStreamRelay({ store: db.store, publisher, toMessage, batchSize: 500, ...options });

async function appendAcrossPools(pools: string[], count: number) {
  for (let i = 0; i < count; i += 50) {
    await Promise.all(
      Array.from({ length: 50 }, (_, j) =>
        db.store.append(`pool:${pools[(i + j) % pools.length]}`, [
          { type: 'Probed', data: { i: i + j } },
        ]),
      ),
    );
  }
}

/** Every committed event is in JetStream exactly once, in the log's commit order. */
async function expectStreamEqualsLog(stream: string, checkpointName: string) {
  const log = (await db.store.readAll(LOG_START, 100_000)).map((e) => e.eventId);
  const messages = await nats.readStream(stream);
  const ids = messages.map((m) => m.headers?.get('Nats-Msg-Id'));
  expect(ids).toEqual(log);
  const { rows } = await db.pool.query('SELECT 1 FROM es_checkpoints WHERE consumer = $1', [
    checkpointName,
  ]);
  expect(rows).toHaveLength(1);
}

/** A publisher that dies (publishes nothing more) after `limit` messages. */
const dyingAfter = (limit: number): JetStreamPublisher => {
  let sent = 0;
  return {
    publish: (...args) =>
      sent++ < limit ? publisher.publish(...args) : Promise.reject(new Error('relay killed')),
  };
};

describe('JetStream relay', () => {
  it('creates or updates the events stream idempotently', async () => {
    const options = { name: nats.eventsStream, subjects: [`${nats.root}.*.events`] };
    await ensureEventsStream(nats.jsm, options);
    await ensureEventsStream(nats.jsm, options);
    await ensureEventsStream(nats.jsm, { ...options, duplicateWindowMs: 30 * 60_000 });
    const info = await nats.jsm.streams.info(nats.eventsStream);
    expect(info.config.duplicate_window).toBe(30 * 60_000 * 1_000_000);
    expect(info.config.subjects).toEqual([`${nats.root}.*.events`]);
  });

  it('resumes after being killed mid-batch: every event once, in order', async () => {
    const pools = Array.from({ length: 4 }, () => randomUUID());
    await appendAcrossPools(pools, 1200);
    const dead = relay({ checkpointName: 'relay-a', publisher: dyingAfter(700), batchSize: 1000 });
    await expect(dead.relayBatch(LOG_START)).rejects.toThrow('relay killed');
    const stored = (await nats.jsm.streams.info(nats.eventsStream)).state.messages;
    expect(stored).toBe(700); // published, but the checkpoint never moved

    const revived = relay({ checkpointName: 'relay-a' });
    const duplicates: number[] = [];
    const controller = new AbortController();
    const running = revived.run(controller.signal);
    revived['options'].onBatch = ({ duplicates: d }) => duplicates.push(d);
    await waitFor(
      async () => (await nats.jsm.streams.info(nats.eventsStream)).state.messages >= 1200,
    );
    await waitFor(() => Promise.resolve(duplicates.reduce((a, b) => a + b, 0) === 700));
    controller.abort();
    await running;
    await expectStreamEqualsLog(nats.eventsStream, 'relay-a');
  });

  it('keeps retrying while JetStream refuses, then delivers everything once, in order', async () => {
    const pools = Array.from({ length: 3 }, () => randomUUID());
    const info = await nats.jsm.streams.info(nats.eventsStream);
    const limit = info.state.messages + 250;
    await nats.jsm.streams.update(nats.eventsStream, {
      ...info.config,
      max_msgs: limit,
      discard: 'new',
    });
    const errors: unknown[] = [];
    const controller = new AbortController();
    const running = relay({ checkpointName: 'relay-a', onError: (e) => errors.push(e) }).run(
      controller.signal,
    );
    await appendAcrossPools(pools, 600);
    await waitFor(() => Promise.resolve(errors.length >= 2));
    expect((await nats.jsm.streams.info(nats.eventsStream)).state.messages).toBe(limit);
    await nats.jsm.streams.update(nats.eventsStream, {
      ...info.config,
      max_msgs: -1,
      discard: 'old',
    });
    await waitFor(
      async () => (await nats.jsm.streams.info(nats.eventsStream)).state.messages >= 1800,
    );
    await new Promise((r) => setTimeout(r, 300)); // nothing more should arrive
    controller.abort();
    await running;
    await expectStreamEqualsLog(nats.eventsStream, 'relay-a');
  });

  it('gets past republished events that are not the stream tail (a log restored behind its stream)', async () => {
    const pools = [randomUUID()];
    await appendAcrossPools(pools, 50);
    const controller = new AbortController();
    const first = relay({ checkpointName: 'relay-restore' });
    const running = first.run(controller.signal);
    const head = (await db.store.readAll(LOG_START, 100_000)).length;
    await waitFor(
      async () => (await nats.jsm.streams.info(nats.eventsStream)).state.messages >= head,
    );
    controller.abort();
    await running;
    // The stream goes on past the log (what a restored backup's log no longer has)...
    await nats.js.publish(`${nats.root}.${randomUUID()}.events`, '{}', { msgID: randomUUID() });
    // ...and a relay from an older checkpoint republishes events the stream holds, then a new one.
    await db.store.append(`pool:${pools[0]}`, [{ type: 'Probed', data: { fresh: true } }]);
    const fresh = (await db.store.readAll(LOG_START, 100_000)).at(-1);
    const errors: unknown[] = [];
    const again = new AbortController();
    const behind = relay({ checkpointName: 'relay-restore-older', onError: (e) => errors.push(e) });
    const rerun = behind.run(again.signal);
    const stored = async () =>
      (await nats.readStream(nats.eventsStream)).filter(
        (m) => m.headers?.get('Nats-Msg-Id') === fresh!.eventId,
      ).length;
    await waitFor(async () => (await stored()) === 1);
    again.abort();
    await rerun;
    expect(await stored()).toBe(1);
    expect(errors.length).toBeGreaterThan(0); // the chained batch was refused once, then in turn
  });
});

describe('the log identity', () => {
  it('is one id per log, and the relay stamps the headers its caller adds on every message', async () => {
    const logId = await readLogId(db.pool);
    expect(logId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(await readLogId(db.pool)).toBe(logId);

    const from = (await readLogHead(db.pool)) ?? LOG_START;
    const pool = randomUUID();
    await db.store.append(
      `pool:${pool}`,
      [1, 2, 3].map((i) => ({ type: 'Probed', data: { i } })),
    );
    const stamped = relay({
      checkpointName: 'relay-log-id',
      toMessage: (event) => ({ ...toMessage(event), headers: { 'Poolnet-Log-Id': logId } }),
    });
    expect(await stamped.relayBatch(from)).toBe(3);
    const messages = (await nats.readStream(nats.eventsStream)).filter((m) =>
      m.subject.startsWith(`${nats.root}.${pool}.`),
    );
    expect(messages.map((m) => m.headers?.get('Poolnet-Log-Id'))).toEqual([logId, logId, logId]);
    expect(messages.map((m) => m.headers?.get('Poolnet-Version'))).toEqual(['1', '2', '3']);
  });
});

async function waitFor(check: () => Promise<boolean>, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}
