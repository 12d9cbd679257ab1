import 'reflect-metadata'; // first: config classes need decorator metadata as they are defined
import { createJsonLogger, exitOnBootError, loadConfig, runHttpApp } from '@pool/platform';
import { MemberHostConfig } from './config/member-host.config.js';
import { acceptDomainXml } from './hypervisor/domain-xml-body.js';
import { APP_NAME, MemberHostModule } from './member-host.module.js';
import { ManagementGate } from './host/management-gate.js';

try {
  const config = loadConfig(MemberHostConfig, process.env);
  // Tests only: NATS through a relay the memory datapath can cut (TEST_MANAGEMENT_PATH_DEVICE).
  const gate =
    config.testHooks && config.driver === 'memory' && config.testManagementPathDevice
      ? await ManagementGate.start(config.natsUrl)
      : undefined;
  if (gate) config.natsUrl = gate.url;
  await runHttpApp(MemberHostModule.forRoot(config, gate), {
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
