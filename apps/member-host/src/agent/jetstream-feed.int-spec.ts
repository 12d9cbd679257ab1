import { jetstream } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { createServer, connect as tcpConnect, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestNats } from '../../../../test/support/nats.js';
import { natsUrl } from '../../../../test/support/services.js';
import type { FeedMessage } from './feed.js';
import { JetStreamFeed } from './jetstream-feed.js';

/** A TCP proxy to NATS that can stop forwarding without closing anything: a frozen link. */
class FreezableProxy {
  private readonly upstreams: Socket[] = [];
  private readonly server: Server;
  port = 0;

  constructor(target: URL) {
    this.server = createServer((client) => {
      const upstream = tcpConnect(Number(target.port || 4222), target.hostname);
      this.upstreams.push(upstream);
      client.pipe(upstream);
      upstream.pipe(client);
      for (const s of [client, upstream]) s.on('error', () => undefined);
    });
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as { port: number }).port;
  }

  /** Nothing more reaches the client; it sees no error and no close. */
  freeze(): void {
    for (const upstream of this.upstreams) upstream.unpipe();
  }

  close(): void {
    for (const upstream of this.upstreams) upstream.destroy();
    this.server.close();
  }
}

describe('JetStreamFeed.replay', () => {
  let t: Awaited<ReturnType<typeof createTestNats>>;
  const pool = 'p1';
  const subject = () => `${t.root}.${pool}.events`;

  beforeAll(async () => {
    t = await createTestNats();
    await t.jsm.streams.add({ name: t.eventsStream, subjects: [`${t.root}.*.events`] });
    const js = jetstream(t.nc);
    for (let i = 1; i <= 60; i++) await js.publish(subject(), JSON.stringify({ n: i }));
  });
  afterAll(async () => {
    await t?.close();
  });

  const feedOn = (nc: NatsConnection, batch: number, stallMs?: number) =>
    new JetStreamFeed(nc, {
      pool,
      stream: t.eventsStream,
      subject: subject(),
      durable: 'unused',
      batch,
      ...(stallMs ? { stallMs } : {}),
    });

  it('delivers every message after the given sequence, in order, in batches, then ends', async () => {
    const batches: FeedMessage[][] = [];
    for await (const b of feedOn(t.nc, 25).replay(10, new AbortController().signal)) {
      batches.push(b);
    }
    expect(batches.map((b) => b.length)).toEqual([25, 25]);
    expect(batches.flat().map((m) => m.seq)).toEqual(Array.from({ length: 50 }, (_, i) => i + 11));
    expect(batches.at(-1)?.at(-1)?.pending).toBe(0);
  });

  // Seen in the fault suite: a replay consumer with messages pending and no pull outstanding
  // left a host in catching-up for good. A replay that stops receiving must end by itself.
  it('ends early, keeping what it read, when messages stop arriving', async () => {
    const proxy = new FreezableProxy(new URL(natsUrl()));
    await proxy.listen();
    const nc = await connect({ servers: `nats://127.0.0.1:${proxy.port}` });
    try {
      const read: FeedMessage[] = [];
      const started = Date.now();
      for await (const b of feedOn(nc, 10, 500).replay(0, new AbortController().signal)) {
        read.push(...b);
        if (read.length === 10) proxy.freeze(); // after the first batch, the link goes dark
      }
      expect(read.length).toBeGreaterThanOrEqual(10);
      expect(read.length).toBeLessThan(60);
      expect(read.map((m) => m.seq)).toEqual(Array.from({ length: read.length }, (_, i) => i + 1));
      expect(Date.now() - started).toBeLessThan(15_000);
    } finally {
      proxy.close();
      await nc.close().catch(() => undefined);
    }
  });
});
