import { Module } from '@nestjs/common';
import { ReadModelsModule } from '../read-models/read-models.module.js';
import { HostsController } from './controllers/hosts.controller.js';
import { InventoryController } from './controllers/inventory.controller.js';
import { HistoryController } from './history/history.controller.js';
import { PoolLogReader } from './history/pool-log-reader.js';
import { PolicyController } from './controllers/policy.controller.js';
import { PoolsController } from './controllers/pools.controller.js';
import { SecurityGroupsController } from './controllers/security-groups.controller.js';
import { ChangeFeed } from './stream/change-feed.js';
import { StreamController } from './stream/stream.controller.js';

/** The read API under `/api` (README: the projection read API), served by every replica. */
@Module({
  imports: [ReadModelsModule],
  controllers: [
    PoolsController,
    StreamController,
    HostsController,
    InventoryController,
    PolicyController,
    SecurityGroupsController,
    HistoryController,
  ],
  providers: [ChangeFeed, PoolLogReader],
  exports: [ChangeFeed],
})
export class ReadApiModule {}
