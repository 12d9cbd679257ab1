import { type LoggerService } from '@nestjs/common';
import { type IEntryNestModule, NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { memoizeValidationMetadata } from '../validation/memoize-validation-metadata.js';
import { clientErrorHandler, frameworkErrors } from './framework-errors.js';

export interface RunHttpAppOptions {
  name: string;
  port: number;
  host: string;
  logger: LoggerService;
  /** Upper bound for a graceful shutdown; keep it under the orchestrator's kill grace (10 s). */
  shutdownTimeoutMs?: number;
  /** Runs before listening: global filters, OpenAPI, microservice transports. */
  configure?: (app: NestFastifyApplication) => Promise<void> | void;
  /** Fastify's request body limit in bytes. */
  bodyLimit?: number;
}

const SHUTDOWN_SIGNALS = ['SIGTERM', 'SIGINT'] as const;

/**
 * Creates the Nest app on Fastify, listens, and exits 0 after a graceful close on SIGTERM or
 * SIGINT. Boot failures are rethrown after releasing what was opened; `main.ts` hands them to
 * `exitOnBootError`.
 */
export async function runHttpApp(
  module: IEntryNestModule,
  options: RunHttpAppOptions,
): Promise<NestFastifyApplication> {
  const { name, port, host, logger } = options;
  // The app's modules are imported by now: every validated class is defined.
  memoizeValidationMetadata();
  const app = await NestFactory.create<NestFastifyApplication>(
    module,
    new FastifyAdapter({ bodyLimit: options.bodyLimit, frameworkErrors, clientErrorHandler }),
    {
      logger,
      // Nest's default is process.abort() on a DI error: a core dump instead of a readable exit 1.
      abortOnError: false,
    },
  );
  // useProcessExit: exit 0 once closed, where Nest would otherwise re-raise the signal (exit
  // 143), which reads as a crash to `docker compose` and to the e2e test.
  app.enableShutdownHooks([...SHUTDOWN_SIGNALS], { useProcessExit: true });
  armShutdownWatchdog(name, logger, options.shutdownTimeoutMs ?? 8_000);
  try {
    await options.configure?.(app);
    await app.listen(port, host);
  } catch (err) {
    await app.close().catch(() => undefined);
    throw err;
  }
  logger.log(`${name} listening on http://${host}:${port}`, 'Bootstrap');
  return app;
}

/** Bounds the graceful close: a hung dependency must not turn SIGTERM into SIGKILL later. */
function armShutdownWatchdog(name: string, logger: LoggerService, timeoutMs: number): void {
  for (const signal of SHUTDOWN_SIGNALS) {
    process.once(signal, () => {
      logger.log(`${name} received ${signal}, shutting down`, 'Bootstrap');
      setTimeout(() => {
        logger.error(`${name} did not close within ${timeoutMs} ms, exiting`, 'Bootstrap');
        process.exit(1);
      }, timeoutMs);
    });
  }
}

/** Prints one line a human can act on (no stack for expected failures) and exits 1. */
export function exitOnBootError(name: string, err: unknown): never {
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`${name} failed to start: ${message}\n`);
  process.exit(1);
}
