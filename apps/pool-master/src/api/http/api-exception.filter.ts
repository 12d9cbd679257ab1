import { STATUS_CODES } from 'node:http';
import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  HttpException,
  Logger,
} from '@nestjs/common';
import { type WireError } from '@pool/contracts';
import type { FastifyReply } from 'fastify';
import { throwError, type Observable } from 'rxjs';
import { CommandError } from '../../commands/command-errors.js';

/** The body of every error the HTTP API answers, the REST form of `WireError`. */
export interface ApiErrorBody {
  statusCode: number;
  code: string;
  message: string;
  details?: Record<string, unknown>;
}

/** Codes for errors raised by Fastify or Nest before a controller runs, by Fastify error code. */
const FASTIFY_CODES: Record<string, [code: string, message?: string]> = {
  // Also raised for a `__proto__` or `constructor` key (prototype poisoning).
  FST_ERR_CTP_INVALID_JSON_BODY: [
    'MALFORMED_JSON',
    'The body is not valid JSON, or holds a __proto__ or constructor key.',
  ],
  FST_ERR_CTP_EMPTY_JSON_BODY: [
    'MALFORMED_JSON',
    'The body is empty but Content-Type says JSON: send {} or no Content-Type.',
  ],
  FST_ERR_CTP_BODY_TOO_LARGE: ['BODY_TOO_LARGE'],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: ['UNSUPPORTED_MEDIA_TYPE'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: ['BAD_CONTENT_LENGTH'],
};

/** Codes by status for the other HTTP errors (a route nobody serves is `NOT_FOUND`). */
const STATUS_CODE_NAMES: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  406: 'NOT_ACCEPTABLE',
  408: 'REQUEST_TIMEOUT',
  409: 'CONFLICT',
  411: 'LENGTH_REQUIRED',
  412: 'PRECONDITION_FAILED',
  413: 'BODY_TOO_LARGE',
  414: 'URI_TOO_LONG',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  422: 'UNPROCESSABLE',
  429: 'TOO_MANY_REQUESTS',
  431: 'HEADERS_TOO_LARGE',
  503: 'SERVICE_UNAVAILABLE',
};

/**
 * Every HTTP error as `{ statusCode, code, message, details }`: a command's refusal as it is
 * (the same `code` as over NATS and gRPC), an HTTP error raised by Fastify or Nest with a code
 * of its own, and anything else as a 500 that tells nothing of the internals (it is logged).
 */
@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('ApiExceptionFilter');

  catch(exception: unknown, host: ArgumentsHost): void | Observable<never> {
    // A global filter also sees NATS and gRPC handlers (hybrid app); those answer on their own.
    if (host.getType() !== 'http') return throwError(() => exception);
    const body = this.toBody(exception);
    // A CommandError is an answer; anything else reaching a 5xx is a fault worth a log line.
    if (body.statusCode >= 500 && !(exception instanceof CommandError)) {
      this.logger.error(describe(exception), stackOf(exception));
    }
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    void reply.status(body.statusCode).header('content-type', 'application/json').send(body);
  }

  toBody(exception: unknown): ApiErrorBody {
    if (exception instanceof CommandError) return fromWire(exception.toWire());
    if (exception instanceof HttpException) return fromHttp(exception);
    const fastify = fastifyError(exception);
    if (fastify) return fromFastify(fastify.statusCode, fastify.code, fastify.message);
    return internal();
  }
}

const fromWire = ({ status, code, message, details }: WireError): ApiErrorBody =>
  details === undefined
    ? { statusCode: status, code, message }
    : { statusCode: status, code, message, details };

const internal = (): ApiErrorBody => ({
  statusCode: 500,
  code: 'INTERNAL',
  message: 'The request failed unexpectedly; the server log has the details.',
});

function fromHttp(exception: HttpException): ApiErrorBody {
  const status = exception.getStatus();
  if (status >= 500 && status !== 503) return internal();
  const cause = fastifyError(exception.cause);
  if (cause) return fromFastify(status, cause.code, cause.message);
  const response = exception.getResponse();
  const byStatus = STATUS_CODE_NAMES[status] ?? `HTTP_${status}`;
  if (typeof response === 'string')
    return { statusCode: status, code: byStatus, message: sentence(response) };
  const {
    message,
    error: _error,
    statusCode: _status,
    code: chosen,
    ...rest
  } = response as Record<string, unknown>;
  // A code the thrower chose (the auth guard's UNAUTHENTICATED) says more than the status's.
  const code = typeof chosen === 'string' ? chosen : byStatus;
  // A ValidationPipe's list of messages, should one be in use somewhere.
  if (Array.isArray(message)) {
    return {
      statusCode: status,
      code: 'VALIDATION_FAILED',
      message: sentence(`The request is invalid: ${message.join('; ')}`),
      details: { problems: message },
    };
  }
  const text = typeof message === 'string' ? message : (STATUS_CODES[status] ?? 'Error');
  // A body another module chose (the health report) is kept, under `details`.
  return Object.keys(rest).length > 0
    ? { statusCode: status, code, message: sentence(text), details: rest }
    : { statusCode: status, code, message: sentence(text) };
}

function fromFastify(
  status: number,
  fastifyCode: string | undefined,
  message: string,
): ApiErrorBody {
  const [code, fixed] = (fastifyCode && FASTIFY_CODES[fastifyCode]) || [
    STATUS_CODE_NAMES[status] ?? `HTTP_${status}`,
  ];
  return { statusCode: status, code, message: sentence(fixed ?? message) };
}

/** Errors Fastify raises with a 4xx status (parsers, limits); 5xx ones stay internal. */
function fastifyError(
  error: unknown,
): { statusCode: number; code?: string; message: string } | undefined {
  if (!(error instanceof Error)) return undefined;
  const { statusCode, code } = error as Error & { statusCode?: unknown; code?: unknown };
  if (typeof statusCode !== 'number' || statusCode < 400 || statusCode >= 500) return undefined;
  // A parser other than Fastify's own (a custom one) throws the SyntaxError of JSON.parse.
  const named = error instanceof SyntaxError ? 'FST_ERR_CTP_INVALID_JSON_BODY' : code;
  return {
    statusCode,
    code: typeof named === 'string' ? named : undefined,
    message: error.message,
  };
}

const sentence = (text: string): string => (/[.!?]$/.test(text) ? text : `${text}.`);

const describe = (error: unknown): string =>
  error instanceof Error ? `${error.name}: ${error.message}` : `non-error thrown: ${String(error)}`;

const stackOf = (error: unknown): string | undefined =>
  error instanceof Error ? error.stack : undefined;
