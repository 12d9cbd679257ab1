import { Controller, Get, Inject, Param, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ReadModelsDatabase } from '../../read-models/read-models.database.js';
import { ListQuery } from '../dto/list-queries.js';
import { QUERY_PIPE } from '../http/query-pipe.js';
import { ApiRead } from '../openapi/api-read.decorator.js';
import { AddressSetModel, SecurityGroupModel } from '../openapi/read-api-models.js';
import { listAddressSets, listSecurityGroups } from '../queries/security-group-queries.js';

@ApiTags('security groups, address sets')
@Controller('api/pools/:pool')
export class SecurityGroupsController {
  constructor(@Inject(ReadModelsDatabase) private readonly db: ReadModelsDatabase) {}

  @Get('address-sets')
  @ApiRead('Address sets: named CIDR lists an ACL rule may take as its remote', AddressSetModel, {
    page: true,
  })
  addressSets(@Param('pool') pool: string, @Query(QUERY_PIPE) query: ListQuery) {
    return listAddressSets(this.db.dataSource, pool, query);
  }

  @Get('security-groups')
  @ApiRead(
    'Security groups with their members, default policy and rule count',
    SecurityGroupModel,
    {
      page: true,
    },
  )
  securityGroups(@Param('pool') pool: string, @Query(QUERY_PIPE) query: ListQuery) {
    return listSecurityGroups(this.db.dataSource, pool, query);
  }
}
