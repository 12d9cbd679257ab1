import { Module } from '@nestjs/common';
import { PG_POOL } from '@pool/platform/postgres';
import type { Pool } from 'pg';
import { Registry } from 'prom-client';
import { ProjectorService } from './projector.service.js';
import { projectionMetrics } from './projection.metrics.js';
import { ReadModelsDatabase } from './read-models.database.js';
import { PROJECTION_METRICS } from './read-models.tokens.js';

/**
 * The read models: the projector (on the replica holding its lock) and the TypeORM DataSource
 * the read API queries them through. Needs the app's config, PG_POOL, NatsClient and the
 * metrics Registry, all global in the projection app.
 */
@Module({
  providers: [
    {
      provide: PROJECTION_METRICS,
      inject: [Registry, PG_POOL],
      useFactory: (registry: Registry, pool: Pool) => projectionMetrics(registry, pool),
    },
    ReadModelsDatabase,
    ProjectorService,
  ],
  exports: [ReadModelsDatabase, PROJECTION_METRICS],
})
export class ReadModelsModule {}
