import { type DynamicModule, Module, type ModuleMetadata } from '@nestjs/common';
import { batchesProvider } from '../batches/batches-provider.js';
import { historyProvider } from '../history/pool-history.js';
import { PoolMasterGrpcController } from './pool-master-grpc.controller.js';
import {
  POOL_MASTER_GRPC_OPTIONS,
  type PoolMasterGrpcOptions,
} from './pool-master-grpc.options.js';

/**
 * The gRPC API's handlers (commands, events, history). Needs `CommandService` and
 * `PostgresEventStore` (from `imports`, or
 * global), the global `NatsClient` and the global `AccessControl` (`AuthModule`); the transport
 * itself is `grpcServerOptions(url)`.
 */
@Module({})
export class PoolMasterGrpcModule {
  static register(
    options: PoolMasterGrpcOptions & { imports?: ModuleMetadata['imports'] },
  ): DynamicModule {
    const { imports = [], ...grpcOptions } = options;
    return {
      module: PoolMasterGrpcModule,
      imports,
      controllers: [PoolMasterGrpcController],
      providers: [
        { provide: POOL_MASTER_GRPC_OPTIONS, useValue: grpcOptions },
        historyProvider(grpcOptions.historySnapshotEvery),
        batchesProvider,
      ],
    };
  }
}
