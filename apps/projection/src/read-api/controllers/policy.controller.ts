import { Controller, Get, Inject, Param, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ReadModelsDatabase } from '../../read-models/read-models.database.js';
import { CountersQuery, ListQuery, MigrationsQuery } from '../dto/list-queries.js';
import { QUERY_PIPE } from '../http/query-pipe.js';
import { ApiRead } from '../openapi/api-read.decorator.js';
import {
  AclRuleModel,
  AdviceModel,
  CounterModel,
  MigrationModel,
  MirrorModel,
} from '../openapi/read-api-models.js';
import {
  listAcls,
  listAdvice,
  listCounters,
  listMigrations,
  listMirrors,
} from '../queries/policy-queries.js';

@ApiTags('migrations, policy, counters, advice')
@Controller('api/pools/:pool')
export class PolicyController {
  constructor(@Inject(ReadModelsDatabase) private readonly db: ReadModelsDatabase) {}

  @Get('migrations')
  @ApiRead('Migrations, newest first, with the version of each step', MigrationModel, {
    page: true,
  })
  migrations(@Param('pool') pool: string, @Query(QUERY_PIPE) query: MigrationsQuery) {
    return listMigrations(this.db.dataSource, pool, query);
  }

  @Get('acls')
  @ApiRead('Pool-wide ACL rules', AclRuleModel, { page: true })
  acls(@Param('pool') pool: string, @Query(QUERY_PIPE) query: ListQuery) {
    return listAcls(this.db.dataSource, pool, query);
  }

  @Get('mirrors')
  @ApiRead('Traffic mirrors', MirrorModel, { page: true })
  mirrors(@Param('pool') pool: string, @Query(QUERY_PIPE) query: ListQuery) {
    return listMirrors(this.db.dataSource, pool, query);
  }

  @Get('counters')
  @ApiRead('Port counters as hosts last reported them', CounterModel, { page: true })
  counters(@Param('pool') pool: string, @Query(QUERY_PIPE) query: CountersQuery) {
    return listCounters(this.db.dataSource, pool, query);
  }

  @Get('advice')
  @ApiRead('NICs where management, VM and storage traffic share a NIC', AdviceModel, {
    page: true,
  })
  advice(@Param('pool') pool: string, @Query(QUERY_PIPE) query: ListQuery) {
    return listAdvice(this.db.dataSource, pool, query);
  }
}
