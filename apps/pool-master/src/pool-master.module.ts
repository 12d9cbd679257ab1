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
import { type PoolMasterConfig } from './config/pool-master.config.js';
import { ApiModule } from './api/index.js';
import { PoolMasterGrpcModule } from './grpc/index.js';
import { natsCommandsController } from './nats/nats-commands.controller.js';
import { HistoryModule } from './history/history.module.js';
import { natsHistoryController } from './history/nats-history.controller.js';
import { SnapshotsModule } from './snapshots/snapshots.module.js';
import { WriteSideModule } from './write-side/write-side.module.js';

export const APP_NAME = 'pool-master';

/** Write side of poolnet: commands in over REST, NATS and gRPC; the log out through the relay. */
@Module({})
export class PoolMasterModule {
  static forRoot(config: PoolMasterConfig): DynamicModule {
    return {
      module: PoolMasterModule,
      imports: [
        AppConfigModule.forRoot(config),
        HealthModule,
        MetricsModule.forRoot({ app: APP_NAME }),
        PostgresModule.forRoot({ url: config.databaseUrl, applicationName: APP_NAME }),
        NatsModule.forRoot({
          servers: config.natsUrl,
          name: `${APP_NAME}:${config.replicaId}`,
          credentials: natsCredentialsOf(config),
        }),
        AuthModule.forRoot({ tokens: [config.authTokens, config.authTokensFromFile] }),
        WriteSideModule.forRoot({
          databaseUrl: config.databaseUrl,
          subjectRoot: config.subjectRoot,
          eventsStream: config.eventsStream,
          reportsStream: config.reportsStream,
          replicaId: config.replicaId,
          snapshotEvery: config.snapshotEvery,
          relay: config.relayEnabled,
          eventsMaxAgeMs: config.eventsMaxAgeHours * 3600_000,
          eventsReplicas: config.eventsReplicas,
          reportsReplicas: config.reportsReplicas,
          defaultWaitTimeoutMs: config.waitTimeoutMs,
        }),
        ApiModule,
        PoolMasterGrpcModule.register({
          subjectRoot: config.subjectRoot,
          historySnapshotEvery: config.historySnapshotEvery,
        }),
        SnapshotsModule,
        HistoryModule.register(config.historySnapshotEvery),
      ],
      controllers: [
        natsCommandsController(config.subjectRoot),
        natsHistoryController(config.subjectRoot),
      ],
    };
  }
}
