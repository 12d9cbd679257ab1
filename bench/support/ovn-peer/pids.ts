import { readFile } from 'node:fs/promises';
import { sleep } from '../apps.js';

/** Daemons that detached (OVN's, Open vSwitch's) are known by the pid files they wrote in our run dirs. */

export async function pidFromFile(file: string): Promise<number | undefined> {
  const text = await readFile(file, 'utf8').catch(() => undefined);
  const pid = Number(text?.trim());
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/** Alive and not a zombie (a detached daemon's parent is whoever reaps orphans, maybe late). */
async function alive(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  return (
    stat !== undefined && stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z'
  );
}

/** SIGTERM to this one pid, SIGKILL if it is still there after `graceMs`. */
export async function stopPid(pid: number, graceMs = 5_000): Promise<void> {
  if (!(await alive(pid))) return;
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!(await alive(pid))) return;
    await sleep(50);
  }
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // gone in between
  }
}

/** Each pid file's pid, the files without a live pid left out. */
export async function pidsFromFiles(files: readonly string[]): Promise<number[]> {
  const pids: number[] = [];
  for (const file of files) {
    const pid = await pidFromFile(file);
    if (pid !== undefined) pids.push(pid);
  }
  return pids;
}
