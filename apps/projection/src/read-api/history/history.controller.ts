import { Controller, Get, Inject, Param, ParseIntPipe, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { QUERY_PIPE } from '../http/query-pipe.js';
import { ApiRead } from '../openapi/api-read.decorator.js';
import { HistoryEntryModel, HistoryEventModel, HistoryQuery } from './history-models.js';
import { PoolLogReader } from './pool-log-reader.js';

const DEFAULT_LIMIT = 50;

/** The pool's log for the console's history view: who changed what, when, and the diff. */
@ApiTags('history')
@Controller('api/pools/:pool/history')
export class HistoryController {
  constructor(@Inject(PoolLogReader) private readonly log: PoolLogReader) {}

  @Get()
  @ApiRead('The log, newest first, with actor, time and objects; filtered', HistoryEntryModel, {
    page: true,
  })
  list(@Param('pool') pool: string, @Query(QUERY_PIPE) query: HistoryQuery) {
    const { cursor, limit = DEFAULT_LIMIT, actor, object, type } = query;
    return this.log.list(pool, {
      before: cursor === undefined ? undefined : Number(cursor),
      limit,
      actor,
      object,
      type,
    });
  }

  @Get(':version')
  @ApiRead('One event with the change it made to the configuration', HistoryEventModel)
  event(@Param('pool') pool: string, @Param('version', ParseIntPipe) version: number) {
    return this.log.event(pool, version);
  }
}
