import {
  type DynamicModule,
  Inject,
  Injectable,
  Logger,
  Module,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { survivePostgresRestarts, pgConnection } from '@pool/event-store';
import { Pool } from 'pg';
import { HealthRegistry } from '../health/health.registry.js';

/** DI token of the app's shared `pg.Pool`. */
export const PG_POOL = Symbol('PG_POOL');

export interface PostgresOptions {
  url: string;
  /** Shown in `pg_stat_activity`, which is how a DBA finds out who holds a lock. */
  applicationName: string;
  maxConnections?: number;
}

/** Registers the `postgres` health check and ends the pool after the HTTP server has closed. */
@Injectable()
class PostgresLifecycle implements OnModuleInit, OnApplicationShutdown {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly health: HealthRegistry,
  ) {}

  onModuleInit(): void {
    this.health.register('postgres', async () => {
      await this.pool.query('SELECT 1');
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.pool.end();
  }
}

/**
 * One lazily connecting `pg.Pool` per app, injectable as `@Inject(PG_POOL)`. Lazy on purpose:
 * the app boots with the database down and reports it on /health instead of crash-looping.
 */
@Module({})
export class PostgresModule {
  static forRoot(options: PostgresOptions): DynamicModule {
    const provider = {
      provide: PG_POOL,
      useFactory: () => {
        const pool = new Pool({
          ...pgConnection(options.url),
          application_name: options.applicationName,
          max: options.maxConnections ?? 10,
          // Bounded so a blackholed database fails requests instead of queueing them forever.
          connectionTimeoutMillis: 5_000,
        });
        // Before any connection exists: a client losing its server emits 'error', and unhandled
        // that would end the process (a checked-out client too, not only an idle one).
        const logger = new Logger('Postgres');
        survivePostgresRestarts(pool, (err) => logger.warn(`connection lost: ${err.message}`));
        return pool;
      },
    };
    return {
      module: PostgresModule,
      global: true,
      providers: [provider, PostgresLifecycle],
      exports: [PG_POOL],
    };
  }
}
