import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** What an operator watches on the write side (README: operations). */
export function writeSideMetrics(registry: Registry) {
  const registers = [registry];
  return {
    batches: new Histogram({
      name: 'poolnet_group_commit_commands',
      help: 'Commands per group commit',
      buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512],
      registers,
    }),
    batchSeconds: new Histogram({
      name: 'poolnet_group_commit_seconds',
      help: 'Time to decide and append one group commit',
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers,
    }),
    eventsAppended: new Counter({
      name: 'poolnet_events_appended_total',
      help: 'Events appended',
      registers,
    }),
    poolsLed: new Gauge({ name: 'poolnet_pools_led', help: 'Pools this replica leads', registers }),
    relayPublished: new Counter({
      name: 'poolnet_relay_published_total',
      help: 'Events the relay published to JetStream',
      registers,
    }),
    relayDuplicates: new Counter({
      name: 'poolnet_relay_duplicates_total',
      help: 'Republished events JetStream dropped by msg id',
      registers,
    }),
    relayErrors: new Counter({
      name: 'poolnet_relay_errors_total',
      help: 'Relay batch failures',
      registers,
    }),
    relayLeader: new Gauge({
      name: 'poolnet_relay_leader',
      help: '1 while this replica runs the relay',
      registers,
    }),
  };
}
export type WriteSideMetrics = ReturnType<typeof writeSideMetrics>;
