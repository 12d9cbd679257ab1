import 'reflect-metadata'; // first: config classes need decorator metadata as they are defined
import { type MicroserviceOptions } from '@nestjs/microservices';
import {
  createJsonLogger,
  exitOnBootError,
  loadConfig,
  natsAuthOptions,
  natsCredentialsOf,
  runHttpApp,
} from '@pool/platform';
import { PoolMasterConfig } from './config/pool-master.config.js';
import { ApiExceptionFilter, setupOpenApi, useStrictJsonBodies } from './api/index.js';
import { grpcServerOptions } from './grpc/index.js';
import { CommandServerNats } from './nats/command-server.js';
import { PlainJsonDeserializer, PlainJsonSerializer } from './nats/plain-json.codec.js';
import { APP_NAME, PoolMasterModule } from './pool-master.module.js';
import { parseRecoverArgs, recoverFromStreamCommand } from './recovery/recover-from-stream.js';

const BODY_LIMIT = 256 * 1024;

// `main.js` serves; `main.js recover-from-stream [--pool <id>] [--apply]` is a one-shot command
// after a restore from a backup (README, Operations).
const [command, ...args] = process.argv.slice(2);

try {
  const config = loadConfig(PoolMasterConfig, process.env);
  if (command === 'recover-from-stream') {
    process.exitCode = await recoverFromStreamCommand(config, parseRecoverArgs(args));
  } else if (command !== undefined) {
    throw new Error(
      `unknown command "${command}" (expected recover-from-stream, or none to serve)`,
    );
  } else {
    await runHttpApp(PoolMasterModule.forRoot(config), {
      name: APP_NAME,
      port: config.port,
      host: config.host,
      logger: createJsonLogger({ name: APP_NAME, level: config.logLevel }),
      bodyLimit: BODY_LIMIT,
      configure: async (app) => {
        useStrictJsonBodies(app, BODY_LIMIT);
        app.useGlobalFilters(new ApiExceptionFilter());
        setupOpenApi(app);
        // Commands over NATS request-reply: one queue group per subject root, any replica serves.
        app.connectMicroservice<MicroserviceOptions>({
          strategy: new CommandServerNats({
            servers: config.natsUrl.split(','),
            ...natsAuthOptions(natsCredentialsOf(config)),
            queue: `${config.subjectRoot}-pool-master`,
            name: `${APP_NAME}:${config.replicaId}:commands`,
            noAsyncTraces: true,
            serializer: new PlainJsonSerializer(),
            deserializer: new PlainJsonDeserializer(),
          }),
        });
        if (config.grpcUrl !== 'off') {
          app.connectMicroservice<MicroserviceOptions>(grpcServerOptions(config.grpcUrl));
        }
        await app.startAllMicroservices();
      },
    });
  }
} catch (err) {
  exitOnBootError(APP_NAME, err);
}
