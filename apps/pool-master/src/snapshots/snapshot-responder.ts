import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { type Msg, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import { PostgresEventStore } from '@pool/event-store';
import { NatsClient } from '@pool/platform';
import { Counter, Histogram, Registry } from 'prom-client';
import { PoolMasterConfig } from '../config/pool-master.config.js';
import { PoolStateCache } from './pool-state-cache.js';
import { encodeRefusal, type WireMessage } from '@pool/contracts';

/**
 * Answers `<root>.<pool>.snapshot` with the pool's state at its latest committed version, for
 * member hosts that are new or fell behind the events stream's retention. Every replica
 * answers (one queue group), leader or not: the state comes from the log, not from a leader.
 */
@Injectable()
export class SnapshotResponder implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Snapshots');
  private readonly cache: PoolStateCache;
  private subscription: Subscription | undefined;
  private readonly served: Counter;
  private readonly seconds: Histogram;

  constructor(
    @Inject(PoolMasterConfig) private readonly config: PoolMasterConfig,
    @Inject(PostgresEventStore) store: PostgresEventStore,
    @Inject(NatsClient) private readonly nats: NatsClient,
    @Inject(Registry) registry: Registry,
  ) {
    this.cache = new PoolStateCache(store);
    this.served = new Counter({
      name: 'poolnet_snapshots_served_total',
      help: 'Pool snapshots sent to member hosts, by outcome',
      labelNames: ['outcome'],
      registers: [registry],
    });
    this.seconds = new Histogram({
      name: 'poolnet_snapshot_seconds',
      help: 'Time to load, encode and send one pool snapshot',
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    const nc = await this.nats.connected();
    const root = this.config.subjectRoot;
    this.subscription = nc.subscribe(`${root}.*.snapshot`, {
      queue: `${root}-pool-master-snapshots`,
      callback: (error, msg) => {
        if (error) this.logger.warn(`snapshot subscription: ${String(error)}`);
        else void this.answer(nc, msg);
      },
    });
  }

  onApplicationShutdown(): void {
    this.subscription?.unsubscribe();
  }

  private async answer(nc: NatsConnection, msg: Msg): Promise<void> {
    if (!msg.reply) return;
    const started = performance.now();
    const pool = msg.subject.split('.')[1] ?? '';
    let messages: WireMessage[];
    let outcome = 'ok';
    try {
      messages = (await this.cache.encoded(pool, nc.info?.max_payload ?? 1024 * 1024)).messages;
    } catch (error) {
      outcome = 'error';
      this.logger.warn(`cannot load pool ${pool} for a snapshot: ${String(error)}`);
      messages = [encodeRefusal('SNAPSHOT_UNAVAILABLE', `Pool ${pool} could not be loaded.`)];
    }
    try {
      for (const m of messages) nc.publish(msg.reply, m.payload, { headers: m.headers });
      nc.publish(msg.reply, new Uint8Array(0)); // the end of the reply
    } catch (error) {
      outcome = 'error';
      this.logger.warn(`cannot send the snapshot of pool ${pool}: ${String(error)}`);
    }
    this.served.inc({ outcome });
    this.seconds.observe((performance.now() - started) / 1000);
  }
}
