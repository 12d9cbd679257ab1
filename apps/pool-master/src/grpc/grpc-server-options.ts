import { type MicroserviceOptions, Transport } from '@nestjs/microservices';
import { GRPC_LOADER_OPTIONS, GRPC_PACKAGE, protoPath } from './proto.js';

/**
 * The options for `app.connectMicroservice(grpcServerOptions('0.0.0.0:50051'))`, then
 * `await app.startAllMicroservices()`.
 */
export function grpcServerOptions(url: string): MicroserviceOptions {
  return {
    transport: Transport.GRPC,
    options: {
      url,
      package: GRPC_PACKAGE,
      protoPath: protoPath(),
      loader: GRPC_LOADER_OPTIONS,
      // FollowEvents streams never end by themselves: a graceful shutdown would wait forever.
      gracefulShutdown: false,
    },
  };
}
