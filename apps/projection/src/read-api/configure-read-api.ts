import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { IdParamsPipe } from './http/id-params.pipe.js';
import { ReadApiExceptionFilter } from './http/read-api-exception.filter.js';
import { READ_API_MODELS } from './openapi/read-api-models.js';

export const OPENAPI_PATH = 'docs';

/**
 * Global error bodies, ids in paths checked, and the OpenAPI document (Swagger UI at /docs,
 * JSON at /docs-json).
 */
export function configureReadApi(app: NestFastifyApplication): void {
  app.useGlobalFilters(new ReadApiExceptionFilter());
  app.useGlobalPipes(new IdParamsPipe());
  const config = new DocumentBuilder()
    .setTitle('poolnet projection')
    .setDescription(
      'Read models of every pool: the pool as one switch, host convergence and lag, the address ' +
        'registry, migrations, ACLs, mirrors, counters and traffic-type advice, plus a live ' +
        'stream of changes. Lists take ?limit= (1–500) and ?cursor=; errors answer ' +
        '{ statusCode, code, message }.',
    )
    .setVersion('1')
    .build();
  SwaggerModule.setup(
    OPENAPI_PATH,
    app,
    () =>
      SwaggerModule.createDocument(app, config, {
        extraModels: READ_API_MODELS,
        operationIdFactory: (controller, method) =>
          `${controller.replace(/Controller$/, '')}_${method}`,
      }),
    { jsonDocumentUrl: `${OPENAPI_PATH}-json` },
  );
}
