import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Built apps run as real processes, as `docker compose` runs them (needs `npm run build`). */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface Running {
  child: ChildProcess;
  output: () => string;
  exit: Promise<number | null>;
}

export const started: Running[] = [];

export function mainOf(app: string): string {
  return `${ROOT}dist/apps/${app}/src/main.js`;
}

/**
 * `netns`: the process runs in that network namespace (`ip netns exec`, which execs it: the
 * child's pid is the app's), as a simulated host's own service would.
 */
export function start(
  app: string,
  env: Record<string, string>,
  options: { netns?: string } = {},
): Running {
  const [command, args] = options.netns
    ? ['ip', ['netns', 'exec', options.netns, process.execPath, mainOf(app)]]
    : [process.execPath, [mainOf(app)]];
  // A minimal env, so a PORT or LOG_LEVEL set in the developer's shell cannot leak in.
  const child = spawn(command, args, {
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

/** Kills whatever a test left running (call from afterEach/afterAll). */
export function killStarted(): void {
  for (const { child } of started.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}

/** A port free on this machine now (get-port also keeps it from being handed out twice in this process). */
export { default as freePort } from 'get-port';

export async function waitForHealthy(
  base: string,
  app: Running,
  timeoutMs = 20_000,
  /** Statuses that count as an answer (a member host without its master reports 503). */
  accept: number[] = [200],
): Promise<unknown> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (app.child.exitCode !== null) break;
    try {
      const response = await fetch(`${base}/health`);
      const body = await response.text();
      if (accept.includes(response.status)) return JSON.parse(body) as unknown;
      last = `${response.status} ${body}`;
    } catch (err) {
      last = String(err);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`not healthy: ${last}\n--- app output ---\n${app.output()}`);
}

export async function exitCodeWithin(app: Running, ms: number): Promise<number | null | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), ms);
  });
  const code = await Promise.race([app.exit, timeout]);
  clearTimeout(timer);
  return code;
}
