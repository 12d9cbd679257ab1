import { readdir, readFile } from 'node:fs/promises';

/** Linux only: CPU seconds used so far by processes, from /proc (every thread counted). */

const TICKS_PER_SECOND = 100; // USER_HZ, 100 on every Linux this runs on

async function cpuSecondsOf(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  // The command name may hold spaces; fields are counted after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11] ?? 0);
  const stime = Number(fields[12] ?? 0);
  return (utime + stime) / TICKS_PER_SECOND;
}

/** Pids of the processes whose command name (`/proc/<pid>/comm`) is `name`. */
export async function pidsNamed(name: string): Promise<number[]> {
  const entries = await readdir('/proc').catch(() => [] as string[]);
  const pids: number[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const comm = await readFile(`/proc/${entry}/comm`, 'utf8').catch(() => '');
    if (comm.trim() === name) pids.push(Number(entry));
  }
  return pids;
}

/** CPU seconds of each named group of processes, read now. */
export async function cpuSeconds(
  groups: Record<string, readonly number[]>,
): Promise<Record<string, number>> {
  const result: Record<string, number> = {};
  for (const [group, pids] of Object.entries(groups)) {
    let sum = 0;
    for (const pid of pids) sum += await cpuSecondsOf(pid);
    result[group] = sum;
  }
  return result;
}
