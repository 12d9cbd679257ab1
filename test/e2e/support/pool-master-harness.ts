/**
 * The pool master's REST API booted in-process on Fastify, over real PostgreSQL and NATS: the
 * API module, its global exception filter and OpenAPI, as `main.ts` configures them, over a
 * command service, event store and NATS connection the suite builds itself (a database and a
 * subject root of its own; no relay, no gRPC, no NATS command transport).
 */
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import {
  ApiExceptionFilter,
  ApiModule,
  setupOpenApi,
} from '../../../apps/pool-master/src/api/index.js';
import { bootWriteSide } from './write-side.js';

/** As `main.ts` sets it. */
export const BODY_LIMIT = 256 * 1024;

/** A JSON body, read field by field in the tests' expectations. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the tests probe wire payloads
export type Json = any;

export interface ApiResponse {
  status: number;
  headers: Headers;
  /** Parsed JSON, or the text when the body is not JSON. */
  body: Json;
}

export interface RequestOptions {
  /** Sent as JSON. */
  json?: unknown;
  /** Sent as it is (malformed JSON, other media types). */
  raw?: string | Buffer;
  headers?: Record<string, string>;
}

export async function bootPoolMaster() {
  const writeSide = await bootWriteSide('rest-e2e');
  const { es, convergence, WriteSide } = writeSide;

  @Module({ imports: [WriteSide, ApiModule] })
  class App {}

  const app = await NestFactory.create<NestFastifyApplication>(
    App,
    new FastifyAdapter({ bodyLimit: BODY_LIMIT }),
    { logger: false },
  );
  app.useGlobalFilters(new ApiExceptionFilter());
  setupOpenApi(app);
  await app.listen(0, '127.0.0.1');
  const base = await app.getUrl();

  const request = async (
    method: string,
    path: string,
    options: RequestOptions = {},
  ): Promise<ApiResponse> => {
    const headers: Record<string, string> = { ...options.headers };
    let body: string | Buffer | undefined = options.raw;
    if (options.json !== undefined) {
      body = JSON.stringify(options.json);
      headers['content-type'] ??= 'application/json';
    }
    const response = await fetch(`${base}${path}`, { method, headers, body });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // Not JSON (Swagger UI's HTML): keep the text.
    }
    return { status: response.status, headers: response.headers, body: parsed };
  };

  return {
    base,
    store: es.store,
    convergence,
    request,
    /** Rows of the pool's stream in the log: what a refused command must leave unchanged. */
    eventRows: async (pool: string): Promise<number> => {
      const { rows } = await es.pool.query<{ n: string }>(
        'SELECT count(*) AS n FROM es_events WHERE stream_id = $1',
        [`pool:${pool}`],
      );
      return Number(rows[0]!.n);
    },
    /** Rows of the whole log: a refusal writes to no stream at all. */
    totalEventRows: async (): Promise<number> => {
      const { rows } = await es.pool.query<{ n: string }>('SELECT count(*) AS n FROM es_events');
      return Number(rows[0]!.n);
    },
    close: async () => {
      await app.close();
      await writeSide.close();
    },
  };
}

export type PoolMasterHarness = Awaited<ReturnType<typeof bootPoolMaster>>;
