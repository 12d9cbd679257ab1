import { Controller, Get, Inject, Param, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ReadModelsDatabase } from '../../read-models/read-models.database.js';
import { ListQuery } from '../dto/list-queries.js';
import { QUERY_PIPE } from '../http/query-pipe.js';
import { ApiRead } from '../openapi/api-read.decorator.js';
import { PoolModel, PoolSummaryModel, SwitchModel } from '../openapi/read-api-models.js';
import { getPool, getSwitch, listPools } from '../queries/pool-queries.js';

@ApiTags('pools')
@Controller('api/pools')
export class PoolsController {
  constructor(@Inject(ReadModelsDatabase) private readonly db: ReadModelsDatabase) {}

  @Get()
  @ApiRead('Every pool, with its size', PoolSummaryModel, { page: true })
  list(@Query(QUERY_PIPE) query: ListQuery) {
    return listPools(this.db.dataSource, query);
  }

  @Get(':pool')
  @ApiRead('One pool', PoolModel)
  get(@Param('pool') pool: string) {
    return getPool(this.db.dataSource, pool);
  }

  @Get(':pool/switch')
  @ApiRead('The pool as one switch: every network, its uplinks and every port', SwitchModel)
  switch(@Param('pool') pool: string) {
    return getSwitch(this.db.dataSource, pool);
  }
}
