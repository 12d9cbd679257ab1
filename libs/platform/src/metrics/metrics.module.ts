import { type DynamicModule, Module } from '@nestjs/common';
import { Registry } from 'prom-client';
import { HttpMetrics } from './http-metrics.js';
import { MetricsController } from './metrics.controller.js';
import { createMetricsRegistry } from './metrics.registry.js';

export interface MetricsOptions {
  /** Value of the `app` label on every metric. */
  app: string;
}

/**
 * `/metrics` in Prometheus text format. The app's `Registry` (prom-client's class is the DI
 * token) is global: feature modules inject it and create their metrics with
 * `registers: [registry]`.
 */
@Module({})
export class MetricsModule {
  static forRoot(options: MetricsOptions): DynamicModule {
    return {
      module: MetricsModule,
      global: true,
      controllers: [MetricsController],
      providers: [
        { provide: Registry, useFactory: () => createMetricsRegistry(options.app) },
        HttpMetrics,
      ],
      exports: [Registry],
    };
  }
}
