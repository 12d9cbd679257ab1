import { type INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { EXTRA_SCHEMAS } from '../command-schemas/command-schemas.js';
import { BODY_MODELS } from './bodies.js';

export const OPENAPI_PATH = 'docs';

/** Serves Swagger UI at /docs and the OpenAPI document at /docs-json. Call before `listen`. */
export function setupOpenApi(app: INestApplication): void {
  const config = new DocumentBuilder()
    .setTitle('poolnet pool master')
    .setDescription(
      'Configure a pool of hypervisor hosts: hosts, PIFs, bonds, networks, VMs, VIFs, ACL rules, ' +
        'security groups, address sets, mirrors, migrations. Every change is a command ' +
        "appended to the pool's event log; errors " +
        'answer { statusCode, code, message, details }.',
    )
    .setVersion('1')
    // Roles: read-only reads, operator also runs VMs and VIFs and migrates, admin does all.
    .addBearerAuth({
      type: 'http',
      scheme: 'bearer',
      description: 'A token of the deployment (AUTH_TOKENS); 401 without one, 403 lacking the role',
    })
    .addSecurityRequirements('bearer')
    .build();
  // Built on first request: creating it walks every route and model.
  SwaggerModule.setup(
    OPENAPI_PATH,
    app,
    () =>
      SwaggerModule.createDocument(app, config, {
        extraModels: [...EXTRA_SCHEMAS, ...BODY_MODELS],
        operationIdFactory: (controller, method) =>
          `${controller.replace(/Controller$/, '')}_${method}`,
      }),
    { jsonDocumentUrl: `${OPENAPI_PATH}-json` },
  );
}
