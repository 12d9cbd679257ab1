/**
 * Boots each built app as a real process, the way `docker compose` runs it: health, metrics,
 * and a clean exit on SIGTERM. It tests the build output, so run `npm run build` first; the
 * spec builds nothing itself (a tsc run inside a test would dominate its time budget).
 *
 * PostgreSQL and NATS: the URLs the global setup resolved (from DATABASE_URL / NATS_URL, or
 * testcontainers), else those variables, else the local default instances.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { adminDatabaseUrl, natsUrl } from '../support/services.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DATABASE_URL =
  adminDatabaseUrl() ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const NATS_URL = natsUrl() ?? process.env.NATS_URL ?? 'nats://127.0.0.1:4222';

interface Running {
  child: ChildProcess;
  output: () => string;
  exit: Promise<number | null>;
}

const started: Running[] = [];

function mainOf(app: string): string {
  return `${ROOT}dist/apps/${app}/src/main.js`;
}

function start(app: string, env: Record<string, string>): Running {
  // A minimal env, so a PORT or LOG_LEVEL set in the developer's shell cannot leak in.
  const child = spawn(process.execPath, [mainOf(app)], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const running = { child, output: () => output, exit };
  started.push(running);
  return running;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

async function waitForHealthy(base: string, app: Running, timeoutMs = 20_000): Promise<unknown> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (app.child.exitCode !== null) break;
    try {
      const response = await fetch(`${base}/health`);
      const body = await response.text();
      if (response.status === 200) return JSON.parse(body) as unknown;
      last = `${response.status} ${body}`;
    } catch (err) {
      last = String(err);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`not healthy: ${last}\n--- app output ---\n${app.output()}`);
}

async function exitCodeWithin(app: Running, ms: number): Promise<number | null | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), ms);
  });
  const code = await Promise.race([app.exit, timeout]);
  clearTimeout(timer);
  return code;
}

beforeAll(() => {
  const missing = ['pool-master', 'member-host', 'projection'].filter(
    (app) => !existsSync(mainOf(app)),
  );
  if (missing.length > 0) {
    throw new Error(`no build output for ${missing.join(', ')}: run \`npm run build\` first`);
  }
});

afterEach(() => {
  // A failed assertion must not leave a server running behind the test run.
  for (const { child } of started.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
});

const apps: { app: string; env: Record<string, string>; checks: string[] }[] = [
  { app: 'pool-master', env: { DATABASE_URL, NATS_URL }, checks: ['postgres', 'nats'] },
  { app: 'projection', env: { DATABASE_URL, NATS_URL }, checks: ['postgres', 'nats'] },
  { app: 'member-host', env: { NATS_URL, POOL_ID: 'e2e', HOST_NAME: 'host-a' }, checks: ['nats'] },
];

for (const { app, env, checks } of apps) {
  describe(app, () => {
    it('serves /health and /metrics, then exits 0 on SIGTERM', async () => {
      const port = await freePort();
      const base = `http://127.0.0.1:${port}`;
      const running = start(app, { ...env, PORT: String(port), HOST: '127.0.0.1' });

      const health = await waitForHealthy(base, running);
      expect(health).toMatchObject({ status: 'ok' });
      expect(Object.keys((health as { checks: object }).checks).sort()).toEqual([...checks].sort());

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
