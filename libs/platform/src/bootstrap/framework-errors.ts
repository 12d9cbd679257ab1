import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyReply, FastifyRequest } from 'fastify';

/*
 * Errors Fastify and Node's HTTP parser answer before any route, filter or Nest exception layer
 * runs: a URL that does not decode, a path parameter over Fastify's limit, headers over Node's
 * limit, bytes that are not HTTP/1.1. Left alone they answer in Fastify's own shape, with its
 * internal code names (FST_ERR_MAX_PARAM_LENGTH) or none; here they answer as every other error
 * of the APIs: `{ statusCode, code, message }` with a stable code.
 */

/** The body every API error has (the REST form of the contracts' WireError, without details). */
export interface FrameworkErrorBody {
  statusCode: number;
  code: string;
  message: string;
}

/** Fastify's router errors, by its error code: what the caller is told instead. */
const ROUTER_ERRORS: Record<string, FrameworkErrorBody> = {
  FST_ERR_BAD_URL: {
    statusCode: 400,
    code: 'BAD_URL',
    message: 'The URL does not decode: a % must begin an escape of UTF-8.',
  },
  FST_ERR_MAX_PARAM_LENGTH: {
    statusCode: 414,
    code: 'URI_TOO_LONG',
    message: 'A part of the URL path is too long; ids are at most 64 characters.',
  },
};

const ROUTER_OTHER: FrameworkErrorBody = {
  statusCode: 400,
  code: 'BAD_REQUEST',
  message: 'The request could not be routed.',
};

/** Fastify's `frameworkErrors` option: router errors in the APIs' shape. */
export function frameworkErrors(
  error: Error & { code?: string },
  _request: FastifyRequest,
  reply: FastifyReply,
): void {
  const body = ROUTER_ERRORS[error.code ?? ''] ?? ROUTER_OTHER;
  void reply.code(body.statusCode).header('content-type', 'application/json').send(body);
}

/** What a request Node's parser refused is answered, by Node's error code. */
export function clientErrorBody(code: string | undefined): FrameworkErrorBody {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return {
        statusCode: 431,
        code: 'HEADERS_TOO_LARGE',
        message: 'The request line and headers are too large (over 16 KiB).',
      };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
    case 'ERR_HTTP_HEADERS_TIMEOUT':
      return {
        statusCode: 408,
        code: 'REQUEST_TIMEOUT',
        message: 'The request was not received in time.',
      };
    default:
      return {
        statusCode: 400,
        code: 'MALFORMED_HTTP',
        message: 'The request is not valid HTTP/1.1 (request line, headers or body framing).',
      };
  }
}

/**
 * Fastify's `clientErrorHandler`: Node's parser refused the bytes, so there is no request to
 * reply through; the answer is written on the socket, which is then closed (its framing is
 * lost). As Fastify's default does, a reset or closed socket gets nothing.
 */
export function clientErrorHandler(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const body = clientErrorBody(error.code);
  const json = JSON.stringify(body);
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${body.statusCode} ${STATUS_CODES[body.statusCode]}\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(json)}\r\n` +
        `Connection: close\r\n\r\n${json}`,
    );
  }
  socket.destroy(error);
}
