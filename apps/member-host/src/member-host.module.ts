import { type DynamicModule, Module } from '@nestjs/common';
import { AppConfigModule, HealthModule, MetricsModule, NatsModule } from '@pool/platform';
import { type MemberHostConfig } from './config/member-host.config.js';

export const APP_NAME = 'member-host';

/**
 * One per hypervisor; no database (its state is local). The event follower, vSwitch driver and
 * reporter join `imports` as they land.
 */
@Module({})
export class MemberHostModule {
  static forRoot(config: MemberHostConfig): DynamicModule {
    return {
      module: MemberHostModule,
      imports: [
        AppConfigModule.forRoot(config),
        HealthModule,
        MetricsModule.forRoot({ app: APP_NAME }),
        // The host name in the client name tells hosts apart in the NATS server's monitoring.
        NatsModule.forRoot({ servers: config.natsUrl, name: `${APP_NAME}:${config.hostName}` }),
      ],
    };
  }
}
