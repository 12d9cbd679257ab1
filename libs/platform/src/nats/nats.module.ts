import { type DynamicModule, Module } from '@nestjs/common';
import { HealthRegistry } from '../health/health.registry.js';
import { NatsClient, type NatsOptions } from './nats.client.js';

/** Provides the app's `NatsClient` (global) and its `nats` health check. */
@Module({})
export class NatsModule {
  static forRoot(options: NatsOptions): DynamicModule {
    return {
      module: NatsModule,
      global: true,
      providers: [
        {
          provide: NatsClient,
          inject: [HealthRegistry],
          useFactory: (health: HealthRegistry) => new NatsClient(options, health),
        },
      ],
      exports: [NatsClient],
    };
  }
}
