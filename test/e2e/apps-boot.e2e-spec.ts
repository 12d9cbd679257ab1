/**
 * Boots each built app as a real process, the way `docker compose` runs it: health, metrics,
 * and a clean exit on SIGTERM. It tests the build output, so run `npm run build` first; the
 * spec builds nothing itself (a tsc run inside a test would dominate its time budget).
 *
 * PostgreSQL and NATS: the URLs the global setup resolved (from DATABASE_URL / NATS_URL, or
 * testcontainers), else those variables, else the local default instances.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  exitCodeWithin,
  freePort,
  killStarted,
  mainOf,
  start,
  waitForHealthy,
} from '../support/processes.js';
import { adminDatabaseUrl, natsUrl } from '../support/services.js';

const DATABASE_URL =
  adminDatabaseUrl() ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const NATS_URL = natsUrl() ?? process.env.NATS_URL ?? 'nats://127.0.0.1:4222';

beforeAll(() => {
  const missing = ['pool-master', 'member-host', 'projection'].filter(
    (app) => !existsSync(mainOf(app)),
  );
  if (missing.length > 0) {
    throw new Error(`no build output for ${missing.join(', ')}: run \`npm run build\` first`);
  }
});

// A failed assertion must not leave a server running behind the test run.
afterEach(killStarted);

interface AppCase {
  app: string;
  env: Record<string, string>;
  /** Every check and its state; a member host with no master to join reports itself unready. */
  checks: Record<string, 'up' | 'down'>;
}

const apps: AppCase[] = [
  {
    app: 'pool-master',
    env: { DATABASE_URL, NATS_URL },
    checks: { postgres: 'up', nats: 'up', 'event-store': 'up' },
  },
  { app: 'projection', env: { DATABASE_URL, NATS_URL }, checks: { postgres: 'up', nats: 'up' } },
  {
    app: 'member-host',
    env: {
      NATS_URL,
      POOL_ID: 'e2e',
      HOST_NAME: 'host-a',
      STATE_DIR: mkdtempSync(join(tmpdir(), 'poolnet-boot-')),
    },
    checks: { nats: 'up', datapath: 'up', consumer: 'down', log: 'up' },
  },
];

for (const { app, env, checks } of apps) {
  describe(app, () => {
    it('serves /health and /metrics, then exits 0 on SIGTERM', async () => {
      const port = await freePort();
      const base = `http://127.0.0.1:${port}`;
      const grpc: Record<string, string> =
        app === 'pool-master' ? { GRPC_URL: `127.0.0.1:${await freePort()}` } : {};
      const running = start(app, { ...env, ...grpc, PORT: String(port), HOST: '127.0.0.1' });

      const ready = Object.values(checks).every((c) => c === 'up');
      const health = (await waitForHealthy(base, running, 20_000, ready ? [200] : [503])) as {
        status: string;
        checks: Record<string, { status: string }>;
      };
      expect(health.status).toBe(ready ? 'ok' : 'error');
      const states = Object.fromEntries(
        Object.entries(health.checks).map(([name, check]) => [name, check.status]),
      );
      expect(states).toEqual(checks);

      const live = await fetch(`${base}/health/live`);
      expect(live.status).toBe(200);

      const metrics = await fetch(`${base}/metrics`);
      expect(metrics.headers.get('content-type')).toContain('text/plain');
      const text = await metrics.text();
      expect(text).toContain(`process_cpu_user_seconds_total{app="${app}"}`);
      expect(text).toMatch(
        new RegExp(`http_request_duration_seconds_count\\{app="${app}",.*route="/health"`),
      );

      running.child.kill('SIGTERM');
      expect(await exitCodeWithin(running, 10_000), running.output()).toBe(0);
    });
  });
}

describe('bad configuration', () => {
  it('exits 1 with one readable line naming the variable', async () => {
    const running = start('pool-master', { DATABASE_URL, NATS_URL, PORT: 'notanumber' });

    expect(await exitCodeWithin(running, 10_000)).toBe(1);
    const output = running.output().trim();
    expect(output).toBe(
      'pool-master failed to start: invalid configuration: PORT must be an integer from 1 to 65535',
    );
  });

  it('never prints the value of a bad variable', async () => {
    const running = start('pool-master', { DATABASE_URL: 'mysql://u:s3cret@db/x', NATS_URL });

    expect(await exitCodeWithin(running, 10_000)).toBe(1);
    expect(running.output()).toContain('DATABASE_URL must be a postgres:// URL');
    expect(running.output()).not.toContain('s3cret');
  });
});
