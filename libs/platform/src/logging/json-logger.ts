import { type LoggerService } from '@nestjs/common';
import { pino, type Level, type Logger } from 'pino';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Keys whose values never reach a log line, at any of the first three levels of nesting. */
const SECRET_KEYS = ['password', 'secret', 'token', 'authorization', 'cookie', 'apiKey'];
const REDACT_PATHS = SECRET_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`]);

export interface JsonLoggerOptions {
  /** App name, stamped on every line as `app`. */
  name: string;
  level: LogLevel;
  /** Defaults to stdout; tests pass a stream to read lines back. */
  destination?: NodeJS.WritableStream;
}

export function createJsonLogger(options: JsonLoggerOptions): JsonLogger {
  const instance = pino(
    {
      level: options.level,
      base: { app: options.name, pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      // Level names instead of pino's numbers: what people grep for.
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    },
    options.destination ?? pino.destination({ dest: 1, sync: true }),
  );
  return new JsonLogger(instance);
}

/**
 * Nest's `LoggerService` over pino: one JSON object per line. Nest's calling convention is
 * `(message, ...params, context?)` with a stack trace before the context for errors; objects
 * become fields, so `logger.log({ msg: 'applied', poolId, version })` stays queryable.
 */
export class JsonLogger implements LoggerService {
  constructor(readonly pino: Logger) {}

  log(message: unknown, ...params: unknown[]): void {
    this.write('info', message, params);
  }
  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }
  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }
  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }
  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  private write(level: Level, message: unknown, params: unknown[]): void {
    if (!this.pino.isLevelEnabled(level)) return;
    const fields: Record<string, unknown> = {};
    const rest = [...params];
    const last = rest.at(-1);
    if (typeof last === 'string' && !isStack(last)) {
      fields.context = last;
      rest.pop();
    }
    for (const param of rest) {
      if (typeof param === 'string' && isStack(param)) fields.stack = param;
      else if (param instanceof Error) fields.err = param;
      else if (isRecord(param)) Object.assign(fields, param);
      else if (param !== undefined) fields.extra = param;
    }
    if (message instanceof Error) {
      this.pino[level]({ ...fields, err: message }, message.message);
    } else if (isRecord(message)) {
      this.pino[level]({ ...fields, ...message });
    } else {
      this.pino[level](fields, String(message));
    }
  }
}

const isStack = (text: string): boolean => /\n\s+at /.test(text);
const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
