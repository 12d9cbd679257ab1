import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { repoRoot } from './report.js';

/** The built apps (dist/apps/<app>) as processes of a bench, and the waits around them. */

export { sleep };

/** A port free on this machine now (get-port also keeps it from being handed out twice in this process). */
export { default as freePort } from 'get-port';

export async function waitFor(
  check: () => Promise<boolean> | boolean,
  what: string,
  ms = 120_000,
  pollMs = 20,
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(pollMs);
  }
}

/** Until `base/health` answers 200; fails as soon as the app exits. */
export async function healthy(base: string, child: ChildProcess): Promise<void> {
  await waitFor(async () => {
    if (child.exitCode !== null) throw new Error(`${base} exited with ${child.exitCode}`);
    return fetch(`${base}/health`).then(
      (r) => r.ok,
      () => false,
    );
  }, `${base} to be healthy`);
}

/** A built app as a process, with a minimal env, so a PORT or LOG_LEVEL set in the shell cannot leak in. */
export function spawnApp(app: string, env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, [join(repoRoot(), `dist/apps/${app}/src/main.js`)], {
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

/** Every app a bench started, so that it stops each of them, by its own pid, and no other. */
export class AppProcesses {
  readonly children: ChildProcess[] = [];

  spawn(app: string, env: Record<string, string>): ChildProcess {
    const child = spawnApp(app, env);
    this.children.push(child);
    return child;
  }

  /** SIGTERM to all at once (each takes a moment to shut down), SIGKILL to any left after 10 s. */
  async stopAll(): Promise<void> {
    const running = this.children.splice(0).filter((c) => c.exitCode === null && !c.signalCode);
    await Promise.all(
      running.map(async (child) => {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await Promise.race([exited, sleep(10_000)]);
        if (child.exitCode === null && !child.signalCode) child.kill('SIGKILL');
      }),
    );
  }
}
