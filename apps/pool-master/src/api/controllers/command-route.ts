import { applyDecorators, Controller, UseInterceptors } from '@nestjs/common';
import { ApiParam, ApiTags } from '@nestjs/swagger';
import { type IncomingCommand } from '../../commands/command-service.js';
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

/** A command as CommandService takes it; `type` is checked against the schemas at compile time. */
export const command = (type: CommandType, data: Record<string, unknown>): IncomingCommand => ({
  type,
  data,
});
