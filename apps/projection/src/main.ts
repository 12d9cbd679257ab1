import 'reflect-metadata'; // first: config classes need decorator metadata as they are defined
import { createJsonLogger, exitOnBootError, loadConfig, runHttpApp } from '@pool/platform';
import { ProjectionConfig } from './config/projection.config.js';
import { APP_NAME, ProjectionModule } from './projection.module.js';

try {
  const config = loadConfig(ProjectionConfig, process.env);
  await runHttpApp(ProjectionModule.forRoot(config), {
    name: APP_NAME,
    port: config.port,
    host: config.host,
    logger: createJsonLogger({ name: APP_NAME, level: config.logLevel }),
  });
} catch (err) {
  exitOnBootError(APP_NAME, err);
}
