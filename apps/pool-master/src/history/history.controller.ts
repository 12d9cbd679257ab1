import { Controller, Get, Inject, Param, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import { type PoolDiff, type PoolExport, type PoolStateAt, type RevertPlan } from '@pool/contracts';
import { RequireRole } from '@pool/platform';
import { PoolIdPipe } from '../api/http/pool-id.pipe.js';
import { ApiErrorModel } from '../api/openapi/api-models.js';
import {
  PoolDiffModel,
  PoolExportModel,
  PoolStateAtModel,
  RevertPlanModel,
} from './history-models.js';
import { parseDiffQuery, parseRevertQuery, parseStateQuery } from './history-query.js';
import { PoolHistory } from './pool-history.js';

const POINT =
  'A pool version (integer ≥ 0) or a time (ISO-8601 with a zone, e.g. 2026-12-01T10:00Z: ' +
  'the last version recorded at or before it)';
const REFUSALS =
  'BAD_HISTORY_POINT, VERSION_BEYOND_HEAD, TIME_IN_FUTURE, UNKNOWN_QUERY_PARAMETER, INVALID_ID';

/** The pool's past, read from its log: its configuration at a version, and what changed. */
@Controller('pools/:pool')
@RequireRole('read-only')
@ApiTags('history')
export class HistoryController {
  constructor(@Inject(PoolHistory) private readonly history: PoolHistory) {}

  @Get('state')
  @ApiOperation({
    summary: "A pool's configuration at a version or a time",
    description:
      'Loaded from the nearest snapshot at or below the version plus the events up to it ' +
      '(`loadedFrom` says which), never a replay of the whole log. Neither query: the head.',
  })
  @ApiParam({ name: 'pool', description: 'The pool id' })
  @ApiQuery({ name: 'version', required: false, type: String, description: POINT })
  @ApiQuery({ name: 'at', required: false, type: String, description: `${POINT} (as version)` })
  @ApiOkResponse({ type: PoolStateAtModel })
  @ApiBadRequestResponse({ type: ApiErrorModel, description: REFUSALS })
  @ApiNotFoundResponse({ type: ApiErrorModel, description: 'POOL_NOT_FOUND' })
  state(
    @Param('pool', PoolIdPipe) pool: string,
    @Query() query: Record<string, unknown>,
  ): Promise<PoolStateAt> {
    return this.history.stateAt(pool, parseStateQuery(query));
  }

  @Get('diff')
  @ApiOperation({
    summary: 'What changed in a pool between two versions or times, and who changed it',
    description:
      'Objects added, changed (field by field) and removed from `from` to `to`, each with ' +
      'the events between them that named it, their actors and times.',
  })
  @ApiParam({ name: 'pool', description: 'The pool id' })
  @ApiQuery({ name: 'from', required: true, type: String, description: POINT })
  @ApiQuery({
    name: 'to',
    required: false,
    type: String,
    description: `${POINT}; default: the head`,
  })
  @ApiOkResponse({ type: PoolDiffModel })
  @ApiBadRequestResponse({ type: ApiErrorModel, description: REFUSALS })
  @ApiNotFoundResponse({ type: ApiErrorModel, description: 'POOL_NOT_FOUND' })
  diff(
    @Param('pool', PoolIdPipe) pool: string,
    @Query() query: Record<string, unknown>,
  ): Promise<PoolDiff> {
    const { from, to } = parseDiffQuery(query);
    return this.history.diff(pool, from, to);
  }

  @Get('export')
  @ApiOperation({
    summary: "A pool's configuration at a version or a time, as commands",
    description:
      'In order, the commands build the configuration in an empty pool (CreatePool first); ' +
      'runtime (where VMs run, migrations) is listed in `notExported`.',
  })
  @ApiParam({ name: 'pool', description: 'The pool id' })
  @ApiQuery({ name: 'version', required: false, type: String, description: POINT })
  @ApiQuery({ name: 'at', required: false, type: String, description: `${POINT} (as version)` })
  @ApiOkResponse({ type: PoolExportModel })
  @ApiBadRequestResponse({ type: ApiErrorModel, description: REFUSALS })
  @ApiNotFoundResponse({ type: ApiErrorModel, description: 'POOL_NOT_FOUND' })
  export(
    @Param('pool', PoolIdPipe) pool: string,
    @Query() query: Record<string, unknown>,
  ): Promise<PoolExport> {
    return this.history.exportAt(pool, parseStateQuery(query));
  }

  @Get('revert')
  @ApiOperation({
    summary: 'Dry run of a revert: the commands that bring the pool back to a version',
    description:
      "From the head's configuration to the one at `to`; what they cannot bring back (a VM " +
      'running now that did not exist then, a host ejected since) is listed with the reason ' +
      'in `notReverted`. Nothing is applied.',
  })
  @ApiParam({ name: 'pool', description: 'The pool id' })
  @ApiQuery({ name: 'to', required: true, type: String, description: POINT })
  @ApiOkResponse({ type: RevertPlanModel })
  @ApiBadRequestResponse({ type: ApiErrorModel, description: REFUSALS })
  @ApiNotFoundResponse({ type: ApiErrorModel, description: 'POOL_NOT_FOUND' })
  revert(
    @Param('pool', PoolIdPipe) pool: string,
    @Query() query: Record<string, unknown>,
  ): Promise<RevertPlan> {
    return this.history.revertPlan(pool, parseRevertQuery(query));
  }
}
