import * as protoLoader from '@grpc/proto-loader';
import { type MicroserviceOptions, Transport } from '@nestjs/microservices';
import { NON_UTF8_FIELDS } from './grpc-messages.js';
import { GRPC_LOADER_OPTIONS, GRPC_PACKAGE, GRPC_SERVICE, protoPath } from './proto.js';
import { nonUtf8Fields } from './utf8-fields.js';

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
      packageDefinition: serverPackageDefinition(),
      // FollowEvents streams never end by themselves: a graceful shutdown would wait forever.
      gracefulShutdown: false,
    },
  };
}

/**
 * The proto as the server loads it, with Execute's request decoder marking the string fields
 * whose bytes are not UTF-8 (which protobufjs would turn into U+FFFD), for the handler to refuse.
 */
function serverPackageDefinition(): protoLoader.PackageDefinition {
  const definition = protoLoader.loadSync(protoPath(), GRPC_LOADER_OPTIONS);
  const service = definition[`${GRPC_PACKAGE}.${GRPC_SERVICE}`] as protoLoader.ServiceDefinition;
  const execute = service.Execute!;
  const decode = execute.requestDeserialize;
  execute.requestDeserialize = (bytes: Buffer): object => {
    const message = decode(bytes);
    const bad = nonUtf8Fields(bytes);
    return bad?.length ? Object.assign(message, { [NON_UTF8_FIELDS]: bad }) : message;
  };
  return definition;
}
