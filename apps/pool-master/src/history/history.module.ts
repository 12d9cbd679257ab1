import { type DynamicModule, Module } from '@nestjs/common';
import { HistoryController } from './history.controller.js';
import { historyProvider, PoolHistory } from './pool-history.js';

/**
 * The pool's past (issue 22) on REST, and `PoolHistory` for the NATS controller of the module
 * that imports it. Relies on the global event store.
 */
@Module({})
export class HistoryModule {
  static register(snapshotEvery: number): DynamicModule {
    return {
      module: HistoryModule,
      controllers: [HistoryController],
      providers: [historyProvider(snapshotEvery)],
      exports: [PoolHistory],
    };
  }
}
