import { type createTestNats } from './nats.js';
import { freePort, start, waitForHealthy, type Running } from './processes.js';
import { natsUrl } from './services.js';

export interface PoolMasterReplica {
  base: string;
  running: Running;
}

/** Starts the built pool master on the suite's database and NATS subject root, and waits for it. */
export async function startPoolMasterProcess(
  databaseUrl: string,
  nats: Awaited<ReturnType<typeof createTestNats>>,
  env: Record<string, string> = {},
): Promise<PoolMasterReplica> {
  const port = await freePort();
  const running = start('pool-master', {
    DATABASE_URL: databaseUrl,
    NATS_URL: natsUrl(),
    PORT: String(port),
    HOST: '127.0.0.1',
    SUBJECT_ROOT: nats.root,
    EVENTS_STREAM: nats.eventsStream,
    REPORTS_STREAM: nats.reportsStream,
    GRPC_URL: 'off',
    ...env,
  });
  const base = `http://127.0.0.1:${port}`;
  await waitForHealthy(base, running);
  return { base, running };
}
