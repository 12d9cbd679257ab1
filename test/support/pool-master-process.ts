import { type createTestNats } from './nats.js';
import { freePort, start, waitForHealthy, type Running } from './processes.js';
import { natsUrl } from './services.js';

export interface PoolMasterReplica {
  base: string;
  running: Running;
}

/**
 * Starts a built app (`pool-master`, `projection`) on the suite's database and NATS subject
 * root, listening on a free port, and waits until it is healthy.
 */
export async function startAppProcess(
  app: string,
  databaseUrl: string,
  nats: Awaited<ReturnType<typeof createTestNats>>,
  env: Record<string, string> = {},
): Promise<{ base: string; running: Running }> {
  const port = await freePort();
  const running = start(app, {
    DATABASE_URL: databaseUrl,
    NATS_URL: natsUrl(),
    PORT: String(port),
    HOST: '127.0.0.1',
    SUBJECT_ROOT: nats.root,
    EVENTS_STREAM: nats.eventsStream,
    REPORTS_STREAM: nats.reportsStream,
    ...env,
  });
  const base = `http://127.0.0.1:${port}`;
  await waitForHealthy(base, running);
  return { base, running };
}

/** Starts the built pool master on the suite's database and NATS subject root, and waits for it. */
export const startPoolMasterProcess = (
  databaseUrl: string,
  nats: Awaited<ReturnType<typeof createTestNats>>,
  env: Record<string, string> = {},
): Promise<PoolMasterReplica> =>
  startAppProcess('pool-master', databaseUrl, nats, { GRPC_URL: 'off', ...env });
