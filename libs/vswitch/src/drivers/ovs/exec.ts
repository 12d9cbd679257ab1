import { spawn } from 'node:child_process';
import { basename } from 'node:path';

export interface RunOptions {
  input?: string;
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  /** Exit codes besides 0 that mean an answer, not a failure (`diff-flows`: 2, they differ). */
  answers?: readonly number[];
}

export class CommandError extends Error {
  constructor(
    readonly file: string,
    readonly args: readonly string[],
    readonly exitCode: number | null,
    readonly stderr: string,
  ) {
    super(
      `${file} ${args.join(' ').slice(0, 300)} exited with ${exitCode ?? 'a signal'}: ${stderr.trim() || '(no output)'}`,
    );
    this.name = 'CommandError';
  }
}

/**
 * Processes started through `run`, by program name, since this module loaded: what one change
 * costs in processes (issue 25's measurements, and int-specs proving a path starts none).
 */
export const spawnCounts = new Map<string, number>();

/**
 * Runs a program with an argument array, never through a shell, so ids and names taken from the
 * pool's configuration cannot become shell syntax. Resolves with stdout; rejects on a non-zero
 * exit with stderr in the error.
 */
export function run(
  file: string,
  args: readonly string[],
  options: RunOptions = {},
): Promise<string> {
  const program = basename(file);
  spawnCounts.set(program, (spawnCounts.get(program) ?? 0) + 1);
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      env: options.env ?? process.env,
      // No stdin pipe unless there is input: writing to a process that already exited is EPIPE.
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      timeout: options.timeoutMs ?? 30_000,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout?.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      const stdout = Buffer.concat(out).toString('utf8');
      if (code === 0 || (code !== null && options.answers?.includes(code))) resolve(stdout);
      else reject(new CommandError(file, args, code, Buffer.concat(err).toString('utf8')));
    });
    if (child.stdin) {
      child.stdin.on('error', () => undefined); // the exit code reports what went wrong
      child.stdin.end(options.input);
    }
  });
}

/** Every process `run` has started in this process (scripts/ovs/measure-acl-change.js). */
export const processesSpawned = (): number =>
  [...spawnCounts.values()].reduce((sum, count) => sum + count, 0);
