import { type Provider } from '@nestjs/common';
import { CommandService } from '../commands/command-service.js';
import { PoolHistory } from '../history/pool-history.js';
import { ChangeBatches } from './change-batches.js';

/** `ChangeBatches` over the global command service and the module's `PoolHistory`. */
export const batchesProvider: Provider = {
  provide: ChangeBatches,
  inject: [CommandService, PoolHistory],
  useFactory: (commands: CommandService, history: PoolHistory) =>
    new ChangeBatches(commands, history),
};
