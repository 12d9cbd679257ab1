import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { pgConnection } from '@pool/event-store';
import { DataSource } from 'typeorm';
import { ProjectionConfig } from '../config/projection.config.js';
import { READ_MODEL_ENTITIES } from './read-model-tables.js';

/**
 * The TypeORM DataSource over the read-model entities. Connected at boot, retried while the
 * database is not up yet, so `docker compose up` may start the projection first. Its health is
 * the app's `postgres` check: the same server.
 */
@Injectable()
export class ReadModelsDatabase implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('ReadModels');
  readonly dataSource: DataSource;

  constructor(@Inject(ProjectionConfig) config: ProjectionConfig) {
    const { connectionString, stream } = pgConnection(config.databaseUrl);
    this.dataSource = new DataSource({
      type: 'postgres',
      url: connectionString,
      // A multi-host DATABASE_URL: the pool's sockets follow the primary (primary-hosts.ts).
      extra: stream ? { stream } : undefined,
      entities: READ_MODEL_ENTITIES,
      synchronize: false,
      migrationsRun: false,
      logging: ['error'],
      poolSize: 8,
      applicationName: 'poolnet-projection-read',
    });
  }

  async onModuleInit(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.dataSource.initialize();
        break;
      } catch (error) {
        if (attempt >= 30) throw error;
        if (attempt === 1)
          this.logger.warn(`read models database not reachable yet: ${String(error)}`);
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      }
    }
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}
