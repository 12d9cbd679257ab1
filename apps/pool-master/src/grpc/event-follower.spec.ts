import { type NatsConnection } from '@nats-io/transport-node';
import { type PostgresEventStore, type RecordedEvent } from '@pool/event-store';
import { describe, expect, it } from 'vitest';
import { followPoolEvents, type FollowOptions } from './event-follower.js';

const event = (version: number): RecordedEvent => ({
  eventId: `e${version}`,
  streamId: 'pool:p1',
  streamVersion: version,
  type: 'Happened',
  schemaVersion: 1,
  data: { version },
  metadata: {},
  position: { epoch: 0, transactionId: String(version), globalPosition: String(version) },
  createdAt: new Date(0).toISOString(),
});

/** An in-memory log with a fake NATS connection whose `publish` wakes subscribers. */
function fakes(pollIntervalMs: number) {
  const log: RecordedEvent[] = [];
  const reads: number[] = [];
  const callbacks = new Set<() => void>();
  const store = {
    readStream: (_id: string, from: number, limit: number) => {
      reads.push(from);
      return Promise.resolve(log.filter((e) => e.streamVersion >= from).slice(0, limit));
    },
  } as unknown as PostgresEventStore;
  const nc = {
    subscribe: (_subject: string, opts: { callback: () => void }) => {
      const cb = () => opts.callback();
      callbacks.add(cb);
      return { unsubscribe: () => callbacks.delete(cb) };
    },
  } as unknown as NatsConnection;
  const options: FollowOptions = {
    store,
    nats: () => nc,
    wakeSubject: 'x.p1.events',
    pollIntervalMs,
    pageSize: 3,
    ready: () => Promise.resolve(),
  };
  const append = (n: number) => {
    for (let i = 0; i < n; i++) log.push(event(log.length + 1));
  };
  const publish = () => callbacks.forEach((cb) => cb());
  return { options, append, publish, reads, subscribers: () => callbacks.size };
}

const until = async (check: () => boolean, ms = 2000) => {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe('followPoolEvents', () => {
  it('catches up in pages from after the given version, then follows on a wake-up', async () => {
    const f = fakes(60_000); // no poll within the test: only wake-ups bring new events
    f.append(7);
    const seen: number[] = [];
    const sub = followPoolEvents('p1', 2, f.options).subscribe((e) => seen.push(e.streamVersion));
    await until(() => seen.length === 5);
    expect(seen).toEqual([3, 4, 5, 6, 7]);
    f.append(2);
    f.publish();
    await until(() => seen.length === 7);
    expect(seen).toEqual([3, 4, 5, 6, 7, 8, 9]);
    sub.unsubscribe();
    expect(f.subscribers()).toBe(0);
  });

  it('polls when no wake-up arrives and never repeats a version', async () => {
    const f = fakes(10);
    const seen: number[] = [];
    const sub = followPoolEvents('p1', 0, f.options).subscribe((e) => seen.push(e.streamVersion));
    for (let i = 0; i < 5; i++) {
      f.append(2);
      await until(() => seen.length === (i + 1) * 2);
    }
    sub.unsubscribe();
    expect(seen).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it('stops reading once unsubscribed', async () => {
    const f = fakes(5);
    const sub = followPoolEvents('p1', 0, f.options).subscribe();
    await until(() => f.reads.length >= 2);
    sub.unsubscribe();
    const reads = f.reads.length;
    await new Promise((r) => setTimeout(r, 50));
    expect(f.reads.length).toBeLessThanOrEqual(reads + 1);
  });
});
