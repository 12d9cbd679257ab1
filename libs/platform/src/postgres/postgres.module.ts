import {
  type DynamicModule,
  Inject,
  Injectable,
  Logger,
  Module,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
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
  private readonly logger = new Logger('Postgres');

  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly health: HealthRegistry,
  ) {}

  onModuleInit(): void {
    // An idle client losing its server emits 'error' on the pool; unhandled, it kills the process.
    this.pool.on('error', (err) => this.logger.warn(`idle client error: ${err.message}`));
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
    const pool = {
      provide: PG_POOL,
      useFactory: () =>
        new Pool({
          connectionString: options.url,
          application_name: options.applicationName,
          max: options.maxConnections ?? 10,
          // Bounded so a blackholed database fails requests instead of queueing them forever.
          connectionTimeoutMillis: 5_000,
        }),
    };
    return {
      module: PostgresModule,
      global: true,
      providers: [pool, PostgresLifecycle],
      exports: [PG_POOL],
    };
  }
}
