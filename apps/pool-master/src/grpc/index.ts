export { grpcServerOptions } from './grpc-server-options.js';
export { PoolMasterGrpcModule } from './pool-master-grpc.module.js';
export { type PoolMasterGrpcOptions } from './pool-master-grpc.options.js';
export { PROTO_FILE, protoPath } from './proto.js';
