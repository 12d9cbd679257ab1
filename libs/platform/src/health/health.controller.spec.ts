import { Injectable, Module, type OnModuleInit } from '@nestjs/common';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { MetricsModule } from '../metrics/metrics.module.js';
import { HealthModule } from './health.module.js';
import { HealthRegistry } from './health.registry.js';

let failing = false;

/** Stands for a feature module that owns a dependency: it registers the dependency's check. */
@Injectable()
class QueueHealth implements OnModuleInit {
  constructor(private readonly health: HealthRegistry) {}
  onModuleInit(): void {
    this.health.register('queue', () =>
      failing ? Promise.reject(new Error('queue unreachable')) : Promise.resolve(),
    );
  }
}

@Module({ providers: [QueueHealth] })
class QueueModule {}

describe('HealthModule and MetricsModule over Fastify', () => {
  let app: NestFastifyApplication | undefined;

  afterEach(async () => {
    await app?.close();
    failing = false;
  });

  async function boot(): Promise<NestFastifyApplication> {
    const moduleRef = await Test.createTestingModule({
      imports: [HealthModule, MetricsModule.forRoot({ app: 'spec' }), QueueModule],
    }).compile();
    app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter(), {
      logger: false,
    });
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
    return app;
  }

  it('answers 200 with every check up', async () => {
    const response = await (await boot()).inject({ method: 'GET', url: '/health' });

    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ status: 'ok', checks: { queue: { status: 'up' } } });
  });

  it('answers 503 naming the failing check, while /health/live stays 200', async () => {
    failing = true;
    const booted = await boot();

    const ready = await booted.inject({ method: 'GET', url: '/health' });
    const live = await booted.inject({ method: 'GET', url: '/health/live' });

    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toMatchObject({
      status: 'error',
      checks: { queue: { status: 'down', error: 'queue unreachable' } },
    });
    expect(live.statusCode).toBe(200);
  });

  it('times requests by route template in /metrics', async () => {
    const booted = await boot();
    await booted.inject({ method: 'GET', url: '/health/live' });
    await booted.inject({ method: 'GET', url: '/no/such/route' });

    const metrics = await booted.inject({ method: 'GET', url: '/metrics' });

    expect(metrics.headers['content-type']).toContain('text/plain');
    expect(metrics.body).toContain(
      'http_request_duration_seconds_count{app="spec",method="GET",route="/health/live",status_code="200"} 1',
    );
    expect(metrics.body).toContain('route="unmatched",status_code="404"');
  });
});
