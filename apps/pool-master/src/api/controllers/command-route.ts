import { applyDecorators, Controller, UseInterceptors } from '@nestjs/common';
import { ApiParam, ApiTags } from '@nestjs/swagger';
import { commandOrThrow, type ParsedCommand } from '../../commands/parse-command.js';
import { type CommandType } from '../command-schemas/command-schemas.js';
import { OutcomeEtagInterceptor } from '../http/outcome-etag.interceptor.js';

/** A controller of command routes under `path`: tagged, with the ETag on every outcome. */
export const CommandController = (path: string, tag: string) =>
  applyDecorators(
    Controller(path),
    ApiTags(tag),
    UseInterceptors(OutcomeEtagInterceptor),
    ...(path.includes(':pool') ? [ApiParam({ name: 'pool', description: 'The pool id' })] : []),
  );

/**
 * A route's command, parsed as every transport parses one (a refusal is thrown, a 400); `type`
 * is also checked against the schemas at compile time.
 */
export const command = (
  pool: string,
  type: CommandType,
  data: Record<string, unknown>,
): ParsedCommand => commandOrThrow(pool, type, data);
