import { Module } from '@nestjs/common';
import { MigrationCoordinatorService } from './migration-coordinator.service.js';

/**
 * The migration coordinator (DESIGN §5). Needs the app's config (ProjectionConfig), PG_POOL,
 * NatsClient and the metrics Registry, all global in the projection app.
 */
@Module({
  providers: [MigrationCoordinatorService],
  exports: [MigrationCoordinatorService],
})
export class MigrationCoordinatorModule {}
