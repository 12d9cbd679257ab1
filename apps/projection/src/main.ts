import 'reflect-metadata'; // first: config classes need decorator metadata as they are defined
import { createJsonLogger, exitOnBootError, loadConfig, runHttpApp } from '@pool/platform';
import { ProjectionConfig } from './config/projection.config.js';
import { APP_NAME, ProjectionModule } from './projection.module.js';
import { configureReadApi } from './read-api/configure-read-api.js';
import { rebuildCommand, verifyCommand } from './read-models/read-model-commands.js';

// `main.js` serves; `main.js verify` and `main.js rebuild` are one-shot read-model commands.
const command = process.argv[2];

try {
  const config = loadConfig(ProjectionConfig, process.env);
  if (command === 'verify') {
    process.exitCode = await verifyCommand(config.databaseUrl);
  } else if (command === 'rebuild') {
    process.exitCode = await rebuildCommand(config.databaseUrl, config.projectionBatch);
  } else if (command !== undefined) {
    throw new Error(`unknown command "${command}" (expected verify or rebuild, or none to serve)`);
  } else {
    await runHttpApp(ProjectionModule.forRoot(config), {
      name: APP_NAME,
      port: config.port,
      host: config.host,
      logger: createJsonLogger({ name: APP_NAME, level: config.logLevel }),
      configure: configureReadApi,
    });
  }
} catch (err) {
  exitOnBootError(APP_NAME, err);
}
