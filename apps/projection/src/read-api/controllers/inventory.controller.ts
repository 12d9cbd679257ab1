import { Controller, Get, Inject, Param, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ReadModelsDatabase } from '../../read-models/read-models.database.js';
import { AddressesQuery, ListQuery, VmsQuery } from '../dto/list-queries.js';
import { QUERY_PIPE } from '../http/query-pipe.js';
import { ApiRead } from '../openapi/api-read.decorator.js';
import { AddressModel, NetworkModel, VmModel } from '../openapi/read-api-models.js';
import {
  getNetwork,
  getVm,
  listAddresses,
  listNetworks,
  listVms,
} from '../queries/inventory-queries.js';

@ApiTags('networks, VMs, addresses')
@Controller('api/pools/:pool')
export class InventoryController {
  constructor(@Inject(ReadModelsDatabase) private readonly db: ReadModelsDatabase) {}

  @Get('networks')
  @ApiRead('Networks with their uplinks', NetworkModel, { page: true })
  networks(@Param('pool') pool: string, @Query(QUERY_PIPE) query: ListQuery) {
    return listNetworks(this.db.dataSource, pool, query);
  }

  @Get('networks/:network')
  @ApiRead('One network', NetworkModel)
  network(@Param('pool') pool: string, @Param('network') network: string) {
    return getNetwork(this.db.dataSource, pool, network);
  }

  @Get('vms')
  @ApiRead('VMs with their VIFs and active migration', VmModel, { page: true })
  vms(@Param('pool') pool: string, @Query(QUERY_PIPE) query: VmsQuery) {
    return listVms(this.db.dataSource, pool, query);
  }

  @Get('vms/:vm')
  @ApiRead('One VM', VmModel)
  vm(@Param('pool') pool: string, @Param('vm') vm: string) {
    return getVm(this.db.dataSource, pool, vm);
  }

  @Get('addresses')
  @ApiRead('The address registry: MAC/IP → VIF → VM → host port', AddressModel, { page: true })
  addresses(@Param('pool') pool: string, @Query(QUERY_PIPE) query: AddressesQuery) {
    return listAddresses(this.db.dataSource, pool, query);
  }
}
