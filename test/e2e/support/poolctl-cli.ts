/**
 * The built poolctl (`dist/apps/poolctl/src/main.js`) run as a child process, as an operator's
 * shell runs it: nothing of the test's environment but PATH, plus what the suite gives it.
 */
import { spawn } from 'node:child_process';
import { ROOT } from '../../support/processes.js';

export const POOLCTL = `${ROOT}dist/apps/poolctl/src/main.js`;

export interface PoolctlRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runBuiltPoolctl(args: string[], env: Record<string, string>): Promise<PoolctlRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [POOLCTL, ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}
