import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

/** The proto file, relative to the repository root (the build copies nothing). */
export const PROTO_FILE = 'libs/contracts/proto/poolnet/v1/pool_master.proto';
export const GRPC_PACKAGE = 'poolnet.v1';
export const GRPC_SERVICE = 'PoolMaster';

/** How the server loads the proto; field names in camelCase, uint64 as numbers. */
export const GRPC_LOADER_OPTIONS = {
  keepCase: false,
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: true,
} satisfies protoLoader.Options;

/**
 * The proto's absolute path: walks up from this file to the directory holding `PROTO_FILE`,
 * so it resolves from the sources (`apps/pool-master/src/grpc`, vitest) and from the build
 * (`dist/apps/pool-master/src/grpc`) alike.
 */
export function protoPath(from: string = dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, PROTO_FILE);
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) throw new Error(`${PROTO_FILE} not found above ${from}`);
  }
}

let service: grpc.ServiceDefinition | undefined;

/** The PoolMaster service definition as grpc-js loads it: its (de)serializers encode replies. */
export function poolMasterService(): grpc.ServiceDefinition {
  if (!service) {
    const definition = protoLoader.loadSync(protoPath(), GRPC_LOADER_OPTIONS);
    const loaded = grpc.loadPackageDefinition(definition) as unknown as {
      poolnet: { v1: { PoolMaster: grpc.ServiceClientConstructor } };
    };
    service = loaded.poolnet.v1.PoolMaster.service;
  }
  return service;
}
