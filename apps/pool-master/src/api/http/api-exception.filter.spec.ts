import {
  BadRequestException,
  HttpException,
  NotFoundException,
  PayloadTooLargeException,
} from '@nestjs/common';
import { describe, expect, it, vi } from 'vitest';
import { CommandError } from '../../commands/command-errors.js';
import { ApiExceptionFilter } from './api-exception.filter.js';

const fastifyError = (statusCode: number, code: string, message: string) =>
  Object.assign(new Error(message), { name: 'FastifyError', statusCode, code });

describe('ApiExceptionFilter', () => {
  const filter = new ApiExceptionFilter();
  const body = (exception: unknown) => filter.toBody(exception);

  it('answers a CommandError as it is', () => {
    const error = new CommandError(409, 'MAC_IN_USE', 'MAC taken', { vifId: 'v' });
    expect(body(error)).toEqual({
      statusCode: 409,
      code: 'MAC_IN_USE',
      message: 'MAC taken',
      details: { vifId: 'v' },
    });
    expect(body(new CommandError(412, 'VERSION_MISMATCH', 'stale'))).toEqual({
      statusCode: 412,
      code: 'VERSION_MISMATCH',
      message: 'stale',
    });
  });

  it('names Fastify parser errors, mapped by Nest or not', () => {
    const tooLarge = fastifyError(413, 'FST_ERR_CTP_BODY_TOO_LARGE', 'Request body is too large');
    expect(body(new HttpException(tooLarge.message, 413, { cause: tooLarge }))).toMatchObject({
      statusCode: 413,
      code: 'BODY_TOO_LARGE',
    });
    expect(body(tooLarge)).toMatchObject({ statusCode: 413, code: 'BODY_TOO_LARGE' });
    const media = fastifyError(415, 'FST_ERR_CTP_INVALID_MEDIA_TYPE', 'Unsupported Media Type');
    expect(body(media)).toMatchObject({ statusCode: 415, code: 'UNSUPPORTED_MEDIA_TYPE' });
    const empty = fastifyError(400, 'FST_ERR_CTP_EMPTY_JSON_BODY', 'Body cannot be empty');
    expect(body(empty)).toMatchObject({ statusCode: 400, code: 'MALFORMED_JSON' });
  });

  it('answers malformed JSON as MALFORMED_JSON', () => {
    const syntax = Object.assign(new SyntaxError('Unexpected end of JSON input'), {
      statusCode: 400,
    });
    const malformed = {
      statusCode: 400,
      code: 'MALFORMED_JSON',
      message: 'The body is not valid JSON, or holds a __proto__ or constructor key.',
    };
    expect(body(syntax)).toEqual(malformed);
    const invalid = fastifyError(400, 'FST_ERR_CTP_INVALID_JSON_BODY', 'Body is not valid JSON');
    expect(body(invalid)).toEqual(malformed);
    expect(body(new HttpException(invalid.message, 400, { cause: invalid }))).toEqual(malformed);
  });

  it('answers an unknown route as NOT_FOUND', () => {
    expect(body(new NotFoundException('Cannot GET /nowhere'))).toEqual({
      statusCode: 404,
      code: 'NOT_FOUND',
      message: 'Cannot GET /nowhere.',
    });
  });

  it('names other HTTP errors by status', () => {
    expect(body(new PayloadTooLargeException())).toMatchObject({ code: 'BODY_TOO_LARGE' });
    expect(body(new HttpException('slow down', 429))).toMatchObject({ code: 'TOO_MANY_REQUESTS' });
    expect(body(new BadRequestException(['a must be a string', 'b is required']))).toMatchObject({
      code: 'VALIDATION_FAILED',
      details: { problems: ['a must be a string', 'b is required'] },
    });
  });

  it('keeps a body another module chose, under details', () => {
    const report = { status: 'down', checks: { postgres: { status: 'down' } } };
    expect(body(new HttpException(report, 503))).toEqual({
      statusCode: 503,
      code: 'SERVICE_UNAVAILABLE',
      message: 'Service Unavailable.',
      details: report,
    });
  });

  it('tells nothing of an unexpected error, and logs it', () => {
    const secret = new Error('connect ECONNREFUSED postgres://admin:s3cret@db');
    const internal = {
      statusCode: 500,
      code: 'INTERNAL',
      message: 'The request failed unexpectedly; the server log has the details.',
    };
    expect(body(secret)).toEqual(internal);
    expect(body(new HttpException('db password s3cret', 500))).toEqual(internal);
    expect(body('a thrown string')).toEqual(internal);

    const send = vi.fn();
    const reply = { status: vi.fn(() => reply), header: vi.fn(() => reply), send };
    const host = {
      getType: () => 'http',
      switchToHttp: () => ({ getResponse: () => reply }),
    };
    const log = vi.spyOn((filter as unknown as { logger: { error: () => void } }).logger, 'error');
    log.mockImplementation(() => undefined);
    filter.catch(secret, host as never);
    expect(reply.status).toHaveBeenCalledWith(500);
    expect(send).toHaveBeenCalledWith(internal);
    expect(log).toHaveBeenCalledOnce();
  });
});
