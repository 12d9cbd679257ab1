import {
  type DynamicModule,
  Inject,
  Injectable,
  Logger,
  Module,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { type PoolCommand } from '@pool/domain';
import { createEventStorePool, PostgresEventStore } from '@pool/event-store';
import { HealthRegistry, NatsClient } from '@pool/platform';
import { Registry } from 'prom-client';
import { CommandService } from '../commands/command-service.js';
import { LeaderBalancer } from '../commands/leader-balancer.js';
import { PoolLeadership } from '../commands/pool-leadership.js';
import { poolDomainModel } from '../commands/pool-domain-model.js';
import { ConvergenceTracker } from '../convergence/convergence-tracker.js';
import { RelayService } from './relay.service.js';
import { ReportsService } from './reports.service.js';
import { writeSideMetrics, type WriteSideMetrics } from './write-side.metrics.js';
import { WRITE_SIDE_OPTIONS, type WriteSideOptions } from './write-side.options.js';
import { WRITE_SIDE_METRICS } from './write-side.tokens.js';

/**
 * Starts sharing the pools with the other replicas once the app is up; closes what the write
 * side opened, after the transports stopped taking commands.
 */
@Injectable()
class WriteSideLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    @Inject(PostgresEventStore) private readonly store: PostgresEventStore,
    @Inject(PoolLeadership) private readonly leadership: PoolLeadership<never, never, never>,
    @Inject(LeaderBalancer) private readonly balancer: LeaderBalancer,
    @Inject(RelayService) private readonly relay: RelayService,
  ) {}

  onApplicationBootstrap(): void {
    this.balancer.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.balancer.stop();
    // The relay reads through the store's pool until it has stored its last checkpoint.
    await Promise.all([this.leadership.close(), this.relay.stop()]);
    await this.store.pool.end();
  }
}

/**
 * The pool master's write side: the event store, per-pool leadership with group commit, the
 * command service every transport calls, the convergence barrier and the relay.
 */
@Module({})
export class WriteSideModule {
  static forRoot(options: WriteSideOptions): DynamicModule {
    return {
      module: WriteSideModule,
      global: true,
      providers: [
        { provide: WRITE_SIDE_OPTIONS, useValue: options },
        {
          provide: PostgresEventStore,
          inject: [HealthRegistry],
          useFactory: (health: HealthRegistry) => {
            const pool = createEventStorePool({
              connectionString: options.databaseUrl,
              applicationName: `poolnet-master:${options.replicaId}`,
              max: 12,
            });
            pool.on('error', () => undefined); // idle clients dying are replaced on demand
            health.register('event-store', async () => {
              await pool.query('SELECT 1');
            });
            return new PostgresEventStore(pool);
          },
        },
        {
          provide: WRITE_SIDE_METRICS,
          inject: [Registry],
          useFactory: (registry: Registry) => writeSideMetrics(registry),
        },
        ConvergenceTracker,
        {
          provide: PoolLeadership,
          inject: [PostgresEventStore, NatsClient, WRITE_SIDE_METRICS],
          useFactory: async (
            store: PostgresEventStore,
            nats: NatsClient,
            metrics: WriteSideMetrics,
          ) => {
            const logger = new Logger('Leadership');
            const leadership: PoolLeadership<{ type: string }, never, unknown> = new PoolLeadership(
              {
                connectionString: options.databaseUrl,
                store,
                nc: await nats.connected(),
                subjectRoot: options.subjectRoot,
                model: poolDomainModel as never,
                replicaId: options.replicaId,
                writer: {
                  snapshotEvery: options.snapshotEvery,
                  onBatch: (commands, events, ms) => {
                    metrics.batches.observe(commands);
                    metrics.batchSeconds.observe(ms / 1000);
                    metrics.eventsAppended.inc(events);
                  },
                  onError: (error) => logger.warn(`append failed, stepping down: ${String(error)}`),
                },
                onChange: (pool, leading) => {
                  metrics.poolsLed.set(leadership.ledPools.length);
                  logger.log(`${leading ? 'leading' : 'no longer leading'} pool ${pool}`);
                },
                onError: (error) => logger.warn(String(error)),
              },
            );
            return leadership;
          },
        },
        {
          provide: CommandService,
          inject: [PoolLeadership, ConvergenceTracker, NatsClient],
          useFactory: async (
            leadership: PoolLeadership<PoolCommand, never, unknown>,
            tracker: ConvergenceTracker,
            nats: NatsClient,
          ) =>
            new CommandService(leadership, tracker, {
              nc: await nats.connected(),
              subjectRoot: options.subjectRoot,
              defaultWaitTimeoutMs: options.defaultWaitTimeoutMs,
            }),
        },
        {
          provide: LeaderBalancer,
          inject: [PoolLeadership, NatsClient],
          useFactory: async (
            leadership: PoolLeadership<{ type: string }, never, unknown>,
            nats: NatsClient,
          ) => {
            const logger = new Logger('LeaderBalancer');
            return new LeaderBalancer(leadership, {
              nc: await nats.connected(),
              subjectRoot: options.subjectRoot,
              replicaId: options.replicaId,
              onMoved: (pool, to) => logger.log(`handed pool ${pool} over to ${to}`),
              onError: (error) => logger.warn(String(error)),
            });
          },
        },
        RelayService,
        ReportsService,
        WriteSideLifecycle,
      ],
      exports: [PostgresEventStore, CommandService, ConvergenceTracker, PoolLeadership],
    };
  }
}
