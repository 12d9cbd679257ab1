/**
 * Child processes of the fault harness: spawn, wait for a port or an HTTP health answer, kill
 * by signal. Written without vitest so the soak bench can run the same stack from `dist/`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { connect } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';

/** The repository root: the nearest directory above this file holding package.json. */
export function repoRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('no package.json above the fault harness');
    dir = parent;
  }
  return dir;
}

export { sleep };

/** A port free on this machine now (get-port also keeps it from being handed out twice in this process). */
export { default as freePort } from 'get-port';

/** One spawned process, its output kept (the tail) for failure messages. */
export class LocalProcess {
  private tail = '';
  readonly exited: Promise<number | null>;

  private constructor(
    readonly name: string,
    readonly child: ChildProcess,
  ) {
    const keep = (chunk: Buffer) => {
      this.tail = (this.tail + chunk.toString()).slice(-200_000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  static spawn(
    name: string,
    command: string,
    args: string[],
    env: Record<string, string>,
  ): LocalProcess {
    const child = spawn(command, args, {
      cwd: repoRoot(),
      // A minimal env, so a PORT or LOG_LEVEL set in the developer's shell cannot leak in.
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new LocalProcess(name, child);
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  output(): string {
    return this.tail;
  }

  signal(signal: NodeJS.Signals): void {
    if (this.alive) this.child.kill(signal);
  }

  /** Sends `signal` and waits for the exit; SIGKILL after `graceMs`. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 10_000): Promise<void> {
    if (!this.alive) return;
    this.child.kill(signal);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  /** Resident set size in kB (Linux). */
  rssKb(): Promise<number | undefined> {
    return rssKb(this.pid);
  }
}

/** A process's resident set size in kB, from /proc (Linux); undefined when it is gone. */
export async function rssKb(pid: number): Promise<number | undefined> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const match = /^VmRSS:\s+(\d+) kB$/m.exec(status);
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A process's proportional set size in kB (shared pages divided among their users), from
 * /proc (Linux): summed over PostgreSQL's processes it counts shared buffers once.
 */
export async function pssKb(pid: number): Promise<number | undefined> {
  try {
    const rollup = await readFile(`/proc/${pid}/smaps_rollup`, 'utf8');
    const match = /^Pss:\s+(\d+) kB$/m.exec(rollup);
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** The pids whose parent is `pid` (Linux). */
export async function childrenOf(pid: number): Promise<number[]> {
  const entries = await readdir('/proc').catch(() => [] as string[]);
  const children: number[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    // The command may hold spaces and parentheses: the fields after the last ')' are fixed.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (ppid === pid) children.push(Number(entry));
  }
  return children;
}

/** Waits until something accepts TCP connections on the port. */
export async function waitForPort(port: number, owner: LocalProcess, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!owner.alive) break;
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await sleep(50);
  }
  throw new Error(`${owner.name} never listened on ${port}\n${owner.output().slice(-4000)}`);
}

/** Waits until `GET base/health` answers one of `accept`. */
export async function waitForHealth(
  base: string,
  owner: LocalProcess,
  timeoutMs = 30_000,
  accept = [200],
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (!owner.alive) break;
    try {
      const response = await fetch(`${base}/health`, { signal: AbortSignal.timeout(2000) });
      if (accept.includes(response.status)) return;
      last = `${response.status} ${await response.text()}`;
    } catch (error) {
      last = String(error);
    }
    await sleep(100);
  }
  throw new Error(`${owner.name} not healthy: ${last}\n${owner.output().slice(-4000)}`);
}
