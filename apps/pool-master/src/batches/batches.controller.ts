import { applyDecorators, HttpCode, Inject, Param, Post, type Type } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiConflictResponse,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiQuery,
} from '@nestjs/swagger';
import { type BatchType, type CommandEnvelope, type CommandOutcome } from '@pool/contracts';
import { RequireRole } from '@pool/platform';
import { CommandController } from '../api/controllers/command-route.js';
import { CommandBody } from '../api/http/command-body.js';
import { Envelope } from '../api/http/envelope.js';
import { PoolIdPipe } from '../api/http/pool-id.pipe.js';
import { ApiErrorModel } from '../api/openapi/api-models.js';
import { ApplyChangesBody, BatchOutcomeModel, ImportBody, RevertBody } from './batch-models.js';
import { ChangeBatches } from './change-batches.js';

const REFUSED =
  'A command refused refuses the whole, nothing written: its own status and code, with ' +
  '`details.index` (from 0) and `details.commandType`.';

function ApiBatch(type: BatchType, summary: string, body: Type<unknown>, description: string) {
  return applyDecorators(
    // "Runs <type>." as every command route says it: access-control.e2e-spec reads it.
    ApiOperation({ summary, description: `Runs ${type}. ${description} ${REFUSED} Admin only.` }),
    ApiBody({ type: body }),
    HttpCode(200),
    ApiOkResponse({ type: BatchOutcomeModel, description: `The outcome of ${type}` }),
    ApiHeader({
      name: 'Idempotency-Key',
      required: false,
      description: 'Retries with the same key are applied once',
    }),
    ApiQuery({ name: 'wait', required: false, enum: ['hosts'] }),
    ApiQuery({ name: 'timeoutMs', required: false, type: 'integer' }),
    ApiBadRequestResponse({ type: ApiErrorModel, description: 'Bad input, or a command of it' }),
    ApiNotFoundResponse({ type: ApiErrorModel, description: 'POOL_NOT_FOUND, or an unknown id' }),
    ApiConflictResponse({
      type: ApiErrorModel,
      description: 'VERSION_MISMATCH (the pool moved on), or a command in conflict',
    }),
  );
}

/** Several commands as one change: any, a revert, an import (libs/contracts batches.ts). */
@CommandController('pools/:pool', 'batches')
@RequireRole('admin')
export class BatchesController {
  constructor(@Inject(ChangeBatches) private readonly batches: ChangeBatches) {}

  @Post('changes')
  @ApiBatch(
    'ApplyChanges',
    'Apply several commands as one change',
    ApplyChangesBody,
    'Decided in order, each against the state the ones before it left, and written in one ' +
      'append if the pool is at expectedVersion (409 VERSION_MISMATCH otherwise).',
  )
  changes(
    @Param('pool', PoolIdPipe) pool: string,
    @CommandBody() body: Record<string, unknown>,
    @Envelope() envelope: CommandEnvelope,
  ): Promise<CommandOutcome> {
    return this.batches.run('ApplyChanges', pool, body, envelope);
  }

  @Post('revert')
  @ApiBatch(
    'RevertPool',
    "Bring the pool back to a version's configuration, as one change",
    RevertBody,
    'Applies the plan GET /revert showed at expectedVersion (or the commands given), recorded ' +
      'as a revert on every event (`metadata.causation`); what it cannot bring back is listed ' +
      'in `batch.notReverted`. 409 NOTHING_TO_REVERT when no command is needed.',
  )
  revert(
    @Param('pool', PoolIdPipe) pool: string,
    @CommandBody() body: Record<string, unknown>,
    @Envelope() envelope: CommandEnvelope,
  ): Promise<CommandOutcome> {
    return this.batches.run('RevertPool', pool, body, envelope);
  }

  @Post('import')
  @ApiBatch(
    'ImportPool',
    "Build a new (or empty) pool from an export's commands, as one change",
    ImportBody,
    'The CreatePool of the export takes this pool id; into an existing pool that holds ' +
      'nothing, it is left out (409 POOL_NOT_EMPTY for any other).',
  )
  import(
    @Param('pool', PoolIdPipe) pool: string,
    @CommandBody() body: Record<string, unknown>,
    @Envelope() envelope: CommandEnvelope,
  ): Promise<CommandOutcome> {
    return this.batches.run('ImportPool', pool, body, envelope);
  }
}
