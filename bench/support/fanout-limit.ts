import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { randomBytes } from 'node:crypto';
import { epochMs } from './fleet.js';
import { FleetWorker } from './fleet-worker.js';
import { LatencyRecorder, type LatencySummary } from './latency.js';
import { loadAverage } from './machine.js';

export interface FanoutLimit {
  load: string;
  consumers: number;
  workers: number;
  samples: number;
  /** Publish → the last consumer received the message. */
  received: LatencySummary;
}

/**
 * The bare JetStream fan-out to `count` consumers, the floor under "command → every host
 * applied": a file-backed stream of its own, one message of an event's size published at a
 * time, received (and acked) by `count` durable consumers configured as the hosts' are, spread
 * over `workerCount` processes as the hosts were. No PostgreSQL, master, fold or switch.
 */
export async function fanoutLimit(
  nc: NatsConnection,
  config: { natsUrl: string; dir: string },
  count: number,
  workerCount: number,
  samples: number,
  signal: AbortSignal,
  warn: (message: string) => void,
): Promise<FanoutLimit> {
  const suffix = randomBytes(4).toString('hex');
  const stream = `BENCH_FANOUT_${suffix.toUpperCase()}`;
  const subject = `benchfanout.${suffix}`;
  const jsm = await jetstreamManager(nc);
  await jsm.streams.add({ name: stream, subjects: [subject] });
  const workers = Array.from({ length: workerCount }, () =>
    FleetWorker.spawn({ ...config, root: `fanout${suffix}`, eventsStream: stream }, warn),
  );
  try {
    const names = Array.from({ length: count }, (_, i) => `fanout-${i}`);
    await Promise.all(
      workers.map((w, k) =>
        w.fanout(
          stream,
          names.filter((_, i) => i % workers.length === k),
        ),
      ),
    );
    const js = jetstream(nc);
    // About the size of a host's event on the wire (an UpdateNetwork with its envelope).
    const payload = JSON.stringify({ pad: 'x'.repeat(400) });
    const received = new LatencyRecorder();
    const load = loadAverage();
    const warmup = 10;
    for (let i = 0; i < warmup + samples && !signal.aborted; i++) {
      const t0 = epochMs();
      const { seq } = await js.publish(subject, payload);
      const last = Math.max(...(await Promise.all(workers.map((w) => w.received(seq)))));
      if (i >= warmup) received.record(last - t0);
    }
    return {
      load,
      consumers: count,
      workers: workers.length,
      samples: received.count,
      received: received.summary(),
    };
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
    await jsm.streams.delete(stream).catch(() => undefined);
  }
}
