import { applyDecorators, HttpCode, type Type } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiGatewayTimeoutResponse,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiPayloadTooLargeResponse,
  ApiPreconditionFailedResponse,
  ApiQuery,
  ApiUnsupportedMediaTypeResponse,
  type ApiBodyOptions,
} from '@nestjs/swagger';
import { type CommandType } from '../command-schemas/command-schemas.js';
import { MAX_WAIT_TIMEOUT_MS } from '../http/envelope.js';
import { ApiErrorModel, CommandOutcomeModel } from './api-models.js';

const ETAG = {
  ETag: {
    description: 'The pool version after the command, for If-Match',
    schema: { type: 'string', example: '"12"' },
  },
};

export interface ApiCommandOptions {
  summary: string;
  /** The body's model; none for commands whose URL says everything. */
  body?: Type<unknown> | ApiBodyOptions;
  /** 201 for a command creating an object, else 200. */
  created?: boolean;
  description?: string;
}

/** Documents (and sets the status of) a route that runs one command (or two: see PUT pif). */
export function ApiCommand(command: CommandType | CommandType[], options: ApiCommandOptions) {
  const names = [command].flat().join(' + ');
  const success = {
    type: CommandOutcomeModel,
    headers: ETAG,
    description: `The outcome of ${names}`,
  };
  const body =
    options.body === undefined
      ? []
      : [ApiBody(typeof options.body === 'function' ? { type: options.body } : options.body)];
  return applyDecorators(
    ApiOperation({
      summary: options.summary,
      description: [`Runs ${names}.`, options.description].filter(Boolean).join(' '),
    }),
    ...body,
    HttpCode(options.created ? 201 : 200),
    options.created ? ApiCreatedResponse(success) : ApiOkResponse(success),
    ApiHeader({
      name: 'Idempotency-Key',
      required: false,
      description: 'Retries with the same key (1–128 printable characters) are applied once',
    }),
    ApiHeader({
      name: 'If-Match',
      required: false,
      description: 'Refuse (412) unless the pool is at this version: an ETag, "12", or 12',
    }),
    ApiQuery({
      name: 'wait',
      required: false,
      enum: ['hosts'],
      description: 'Answer only once every enabled host applied the command',
    }),
    ApiQuery({
      name: 'timeoutMs',
      required: false,
      type: 'integer',
      description: `With wait=hosts: give up after this long (1–${MAX_WAIT_TIMEOUT_MS}), 504`,
    }),
    ApiBadRequestResponse({
      type: ApiErrorModel,
      description: 'Bad input (VALIDATION_FAILED, INVALID_MAC…)',
    }),
    ApiNotFoundResponse({
      type: ApiErrorModel,
      description: 'Unknown pool or object (POOL_NOT_FOUND…)',
    }),
    ApiConflictResponse({
      type: ApiErrorModel,
      description: 'Conflict with pool state (MAC_IN_USE…)',
    }),
    ApiPreconditionFailedResponse({
      type: ApiErrorModel,
      description: 'If-Match is stale (VERSION_MISMATCH)',
    }),
    ApiPayloadTooLargeResponse({ type: ApiErrorModel, description: 'BODY_TOO_LARGE' }),
    ApiUnsupportedMediaTypeResponse({ type: ApiErrorModel, description: 'UNSUPPORTED_MEDIA_TYPE' }),
    ApiGatewayTimeoutResponse({
      type: ApiErrorModel,
      description: 'wait=hosts timed out (CONVERGENCE_TIMEOUT)',
    }),
  );
}
