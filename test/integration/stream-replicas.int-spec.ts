/**
 * EVENTS_REPLICAS / REPORTS_REPLICAS on a real 3-node JetStream cluster: a stream is created
 * with the copies asked for, and a changed count is applied to the existing stream in place,
 * its messages kept (the README's promise for raising R1 to R3 on a running pool).
 */
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { ensureEventsStream } from '@pool/event-store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NatsCluster } from '../faults/support/nats-cluster.js';

let cluster: NatsCluster;
let nc: NatsConnection;

beforeAll(async () => {
  cluster = await NatsCluster.start(3);
  nc = await connect({ servers: cluster.url.split(',') });
}, 60_000);

afterAll(async () => {
  await nc?.close();
  await cluster?.close();
});

describe('stream replicas on a JetStream cluster', () => {
  it('creates R3 and moves an R1 stream to R3 in place, keeping its messages', async () => {
    const jsm = await jetstreamManager(nc);
    await ensureEventsStream(jsm, { name: 'R3_NEW', subjects: ['r3new.>'], replicas: 3 });
    expect((await jsm.streams.info('R3_NEW')).config.num_replicas).toBe(3);

    await ensureEventsStream(jsm, { name: 'R1_OLD', subjects: ['r1old.>'] });
    expect((await jsm.streams.info('R1_OLD')).config.num_replicas).toBe(1);
    const js = jetstream(nc);
    for (let i = 0; i < 10; i++) await js.publish('r1old.x', String(i));

    await ensureEventsStream(jsm, { name: 'R1_OLD', subjects: ['r1old.>'], replicas: 3 });
    await cluster.waitForReplicas(nc, 'R1_OLD');
    const info = await jsm.streams.info('R1_OLD');
    expect(info.config.num_replicas).toBe(3);
    expect(info.cluster?.replicas).toHaveLength(2);
    expect(info.state.messages).toBe(10);
  }, 60_000);
});
