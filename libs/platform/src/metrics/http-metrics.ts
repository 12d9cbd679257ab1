import { Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { Histogram, Registry } from 'prom-client';

/**
 * Times every HTTP request with a Fastify `onResponse` hook rather than a Nest interceptor:
 * the hook also sees 404s, body-parse failures and errors thrown by guards. The route label
 * is the route template (`/pools/:pool`), never the raw URL, to keep cardinality bounded.
 */
@Injectable()
export class HttpMetrics implements OnModuleInit {
  private readonly duration: Histogram<'method' | 'route' | 'status_code'>;

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    registry: Registry,
  ) {
    this.duration = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request duration by method, route template and status code',
      labelNames: ['method', 'route', 'status_code'],
      registers: [registry],
    });
  }

  onModuleInit(): void {
    const adapter = this.adapterHost.httpAdapter;
    // Absent in application contexts without HTTP (scripts, some tests).
    if (adapter?.getType() !== 'fastify') return;
    // Fastify attaches root hooks to every route when it becomes ready, so adding the hook after
    // Nest registered its routes (onModuleInit runs after that) still covers them.
    adapter.getInstance<FastifyInstance>().addHook('onResponse', (request, reply, done) => {
      this.duration.observe(
        {
          method: request.method,
          route: request.routeOptions.url ?? 'unmatched',
          status_code: String(reply.statusCode),
        },
        reply.elapsedTime / 1000,
      );
      done();
    });
  }
}
