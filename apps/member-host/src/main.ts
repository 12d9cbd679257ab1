import 'reflect-metadata'; // first: config classes need decorator metadata as they are defined
import { createJsonLogger, exitOnBootError, loadConfig, runHttpApp } from '@pool/platform';
import { MemberHostConfig } from './config/member-host.config.js';
import { acceptDomainXml } from './hypervisor/domain-xml-body.js';
import { APP_NAME, MemberHostModule } from './member-host.module.js';

try {
  const config = loadConfig(MemberHostConfig, process.env);
  await runHttpApp(MemberHostModule.forRoot(config), {
    name: APP_NAME,
    port: config.port,
    host: config.host,
    logger: createJsonLogger({ name: APP_NAME, level: config.logLevel }),
    // The libvirt hook posts the domain XML as it is (hypervisor/hypervisor-hook.controller.ts).
    configure: (app) => acceptDomainXml(app.getHttpAdapter().getInstance()),
  });
} catch (err) {
  exitOnBootError(APP_NAME, err);
}
