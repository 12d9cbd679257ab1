import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

const PROTO = fileURLToPath(
  new URL('../../../libs/contracts/proto/poolnet/v1/pool_master.proto', import.meta.url),
);

/** `PoolMaster.Execute` as a program built from the proto calls it. */
export interface ExecuteClient extends grpc.Client {
  Execute(
    request: object,
    options: grpc.Metadata | grpc.CallOptions,
    callback: (error: grpc.ServiceError | null, reply: never) => void,
  ): void;
}

/** A refusal's typed reply, from its `poolnet-reply-bin` trailer. */
export interface ErrorReply {
  error: { code: string; message: string; detailsJson: string };
}

/**
 * The master's gRPC service as a user's program loads it from the proto file (enums as their
 * names, oneofs named), and a client of it at `address` (no TLS), typed as the caller uses it.
 */
export function connectPoolMaster<Client extends grpc.Client = ExecuteClient>(address: string) {
  const definition = protoLoader.loadSync(PROTO, {
    keepCase: false,
    longs: Number,
    enums: String,
    defaults: true,
    oneofs: true,
  });
  const loaded = grpc.loadPackageDefinition(definition) as unknown as {
    poolnet: { v1: { PoolMaster: grpc.ServiceClientConstructor } };
  };
  const PoolMaster = loaded.poolnet.v1.PoolMaster;
  const client = new PoolMaster(address, grpc.credentials.createInsecure()) as unknown as Client;
  return { PoolMaster, client };
}

/** A client of the master's gRPC service and a reader of a refusal's `poolnet-reply-bin` trailer. */
export function poolMasterGrpcClient(address: string) {
  const { PoolMaster, client } = connectPoolMaster(address);
  const errorReply = (error: grpc.ServiceError): ErrorReply =>
    PoolMaster.service.Execute!.responseDeserialize(
      error.metadata.get('poolnet-reply-bin')[0] as Buffer,
    ) as ErrorReply;
  return { client, errorReply };
}
