import { type DynamicModule, Module } from '@nestjs/common';
import { BatchesController } from '../batches/batches.controller.js';
import { batchesProvider } from '../batches/batches-provider.js';
import { ChangeBatches } from '../batches/change-batches.js';
import { HistoryController } from './history.controller.js';
import { historyKeeperProvider } from './history-keeper.js';
import { historyProvider, PoolHistory } from './pool-history.js';

/**
 * The pool's past (issue 22) on REST, and what builds on it: reverts, imports and other
 * batches of commands. Exports `PoolHistory` and `ChangeBatches` for the NATS controllers of
 * the module that imports it. Relies on the global event store and command service.
 */
@Module({})
export class HistoryModule {
  static register(snapshotEvery: number): DynamicModule {
    return {
      module: HistoryModule,
      controllers: [HistoryController, BatchesController],
      providers: [historyProvider(snapshotEvery), historyKeeperProvider, batchesProvider],
      exports: [PoolHistory, ChangeBatches],
    };
  }
}
