import { type DynamicModule, Module } from '@nestjs/common';
import {
  AppConfigModule,
  HealthModule,
  MetricsModule,
  NatsModule,
  PostgresModule,
} from '@pool/platform';
import { type ProjectionConfig } from './config/projection.config.js';

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
        NatsModule.forRoot({ servers: config.natsUrl, name: APP_NAME }),
      ],
    };
  }
}
