import { Controller, Get, Inject, Param, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ReadModelsDatabase } from '../../read-models/read-models.database.js';
import { HostsQuery } from '../dto/list-queries.js';
import { QUERY_PIPE } from '../http/query-pipe.js';
import { ApiRead } from '../openapi/api-read.decorator.js';
import { HostDetailModel, HostModel } from '../openapi/read-api-models.js';
import { getHost, listHosts } from '../queries/host-queries.js';

@ApiTags('hosts')
@Controller('api/pools/:pool/hosts')
export class HostsController {
  constructor(@Inject(ReadModelsDatabase) private readonly db: ReadModelsDatabase) {}

  @Get()
  @ApiRead('Hosts with their convergence (applied version, lag, drift)', HostModel, { page: true })
  list(@Param('pool') pool: string, @Query(QUERY_PIPE) query: HostsQuery) {
    return listHosts(this.db.dataSource, pool, query);
  }

  @Get(':host')
  @ApiRead('One host with its PIFs, bonds and reported ports', HostDetailModel)
  get(@Param('pool') pool: string, @Param('host') host: string) {
    return getHost(this.db.dataSource, pool, host);
  }
}
