import { type DynamicModule, Module } from '@nestjs/common';
import {
  AppConfigModule,
  HealthModule,
  MetricsModule,
  natsCredentialsOf,
  NatsModule,
} from '@pool/platform';
import { type MemberHostConfig } from './config/member-host.config.js';
import { DriftHookController } from './host/drift-hook.controller.js';
import { ManagementGate } from './host/management-gate.js';
import { MemberHostService } from './host/member-host.service.js';
import { StatusController } from './host/status.controller.js';
import { HypervisorHookController } from './hypervisor/hypervisor-hook.controller.js';
import { HypervisorHookService } from './hypervisor/hypervisor-hook.service.js';

export const APP_NAME = 'member-host';

/**
 * One per hypervisor; no database (its state is local). The follow-and-apply logic lives in
 * plain classes (agent/); this module gives them config, NATS, health, metrics and HTTP.
 */
@Module({})
export class MemberHostModule {
  static forRoot(config: MemberHostConfig, gate?: ManagementGate): DynamicModule {
    return {
      module: MemberHostModule,
      imports: [
        AppConfigModule.forRoot(config),
        HealthModule,
        MetricsModule.forRoot({ app: APP_NAME }),
        // The host name in the client name tells hosts apart in the NATS server's monitoring.
        NatsModule.forRoot({
          servers: config.natsUrl,
          name: `${APP_NAME}:${config.hostName}`,
          credentials: natsCredentialsOf(config),
        }),
      ],
      controllers: [
        StatusController,
        HypervisorHookController,
        ...(config.testHooks ? [DriftHookController] : []),
      ],
      providers: [
        MemberHostService,
        HypervisorHookService,
        ...(gate ? [{ provide: ManagementGate, useValue: gate }] : []),
      ],
    };
  }
}
