import { type DynamicModule, Module } from '@nestjs/common';
import {
  AppConfigModule,
  AuthModule,
  HealthModule,
  MetricsModule,
  natsCredentialsOf,
  NatsModule,
} from '@pool/platform';
import { PostgresModule } from '@pool/platform/postgres';
import { type ProjectionConfig } from './config/projection.config.js';
import { DashboardModule } from './dashboard/dashboard.module.js';
import { MigrationCoordinatorModule } from './migration-coordinator/migration-coordinator.module.js';
import { ReadApiModule } from './read-api/read-api.module.js';

export const APP_NAME = 'projection';

/** Read models, read API, dashboard and migration coordinator join `imports` as they land. */
@Module({})
export class ProjectionModule {
  static forRoot(config: ProjectionConfig): DynamicModule {
    return {
      module: ProjectionModule,
      imports: [
        AppConfigModule.forRoot(config),
        HealthModule,
        MetricsModule.forRoot({ app: APP_NAME }),
        PostgresModule.forRoot({ url: config.databaseUrl, applicationName: APP_NAME }),
        NatsModule.forRoot({
          servers: config.natsUrl,
          name: APP_NAME,
          credentials: natsCredentialsOf(config),
        }),
        // Bearer tokens: GET routes need read-only, anything else admin (or its @RequireRole).
        AuthModule.forRoot({ tokens: [config.authTokens, config.authTokensFromFile] }),
        // The projector (on the replica holding its lock) and the read API under `/api`.
        ReadApiModule,
        MigrationCoordinatorModule,
        // The page at `/`, its files at `/dashboard/:file`; the read API stays under `/api`.
        DashboardModule,
      ],
    };
  }
}
