import { Module } from '@nestjs/common';
import { AclsController } from './controllers/acls.controller.js';
import { AddressSetsController } from './controllers/address-sets.controller.js';
import { BondsController } from './controllers/bonds.controller.js';
import { EventsController } from './controllers/events.controller.js';
import { HostInterfacesController } from './controllers/host-interfaces.controller.js';
import { HostsController } from './controllers/hosts.controller.js';
import { MirrorsController } from './controllers/mirrors.controller.js';
import { NetworksController } from './controllers/networks.controller.js';
import { PoolsController } from './controllers/pools.controller.js';
import { SecurityGroupsController } from './controllers/security-groups.controller.js';
import { VifsController } from './controllers/vifs.controller.js';
import { VmsController } from './controllers/vms.controller.js';

export const API_CONTROLLERS = [
  PoolsController,
  HostsController,
  HostInterfacesController,
  BondsController,
  NetworksController,
  VmsController,
  VifsController,
  AclsController,
  AddressSetsController,
  SecurityGroupsController,
  MirrorsController,
  EventsController,
];

/**
 * The REST admin API (DESIGN §6). Thin controllers over `CommandService` and
 * `PostgresEventStore`, which a global module provides (the write side exports both).
 */
@Module({ controllers: API_CONTROLLERS })
export class ApiModule {}
