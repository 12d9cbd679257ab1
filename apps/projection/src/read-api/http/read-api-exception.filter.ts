import { STATUS_CODES } from 'node:http';
import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  HttpException,
  Logger,
} from '@nestjs/common';
import type { FastifyReply } from 'fastify';

/** Every error of the read API: `{ statusCode, code, message }` (and `details` when useful). */
export interface ReadApiError {
  statusCode: number;
  code: string;
  message: string;
  details?: Record<string, unknown>;
}

const CODES: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  406: 'NOT_ACCEPTABLE',
  413: 'BODY_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'TOO_MANY_REQUESTS',
  503: 'SERVICE_UNAVAILABLE',
};

/**
 * Turns what a handler throws into the error body: an HttpException whose response already
 * holds `code` and `message` keeps them; other HTTP errors get a code from their status; the
 * rest is a 500 that tells nothing of the internals (and is logged).
 */
@Catch()
export class ReadApiExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('ReadApi');

  catch(exception: unknown, host: ArgumentsHost): void {
    const body = this.toBody(exception);
    if (body.statusCode >= 500 && body.statusCode !== 503) {
      this.logger.error(
        exception instanceof Error ? `${exception.name}: ${exception.message}` : String(exception),
        exception instanceof Error ? exception.stack : undefined,
      );
    }
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    if (reply.sent) return; // an event stream already answered
    void reply.status(body.statusCode).header('content-type', 'application/json').send(body);
  }

  toBody(exception: unknown): ReadApiError {
    const status = statusOf(exception);
    if (status === undefined || (status >= 500 && status !== 503)) {
      return {
        statusCode: 500,
        code: 'INTERNAL',
        message: 'The request failed unexpectedly; the server log has the details.',
      };
    }
    const fallback = CODES[status] ?? `HTTP_${status}`;
    const response = exception instanceof HttpException ? exception.getResponse() : undefined;
    if (response && typeof response === 'object') {
      const { code, message, details } = response as Record<string, unknown>;
      const text = Array.isArray(message) ? message.join('; ') : message;
      return {
        statusCode: status,
        code: typeof code === 'string' ? code : fallback,
        message: sentence(typeof text === 'string' ? text : (STATUS_CODES[status] ?? 'Error')),
        ...(details && typeof details === 'object'
          ? { details: details as Record<string, unknown> }
          : {}),
      };
    }
    const message =
      typeof response === 'string' ? response : ((exception as Error).message ?? 'Error');
    return { statusCode: status, code: fallback, message: sentence(message) };
  }
}

/** An HttpException's status, or a Fastify 4xx error's (bad JSON, body too large…). */
function statusOf(exception: unknown): number | undefined {
  if (exception instanceof HttpException) return exception.getStatus();
  const status = (exception as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' && status >= 400 && status < 500 ? status : undefined;
}

const sentence = (text: string): string => (/[.!?]$/.test(text) ? text : `${text}.`);
