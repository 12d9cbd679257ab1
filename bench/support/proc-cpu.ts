import { readdir, readFile } from 'node:fs/promises';

/** Linux only: CPU seconds used by processes, from /proc (every thread counted). */

const TICKS_PER_SECOND = 100; // USER_HZ, 100 on every Linux this runs on

/**
 * utime + stime; with `reapedChildren`, also cutime + cstime: the children it waited for, so the
 * `ovs-vsctl`s a process spawns and reaps are counted for it.
 */
export async function cpuSecondsOf(
  pid: number,
  reapedChildren = false,
): Promise<number | undefined> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  if (stat === undefined) return undefined;
  // The command name may hold spaces; fields are counted after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const children = reapedChildren ? Number(fields[13]) + Number(fields[14]) : 0;
  return (Number(fields[11]) + Number(fields[12]) + children) / TICKS_PER_SECOND;
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

export type CpuSample = Map<number, number>;

/** CPU seconds of every pid of the groups, read now. */
export async function sampleCpu(
  groups: Record<string, readonly number[]>,
  reapedChildren = false,
): Promise<CpuSample> {
  const sample: CpuSample = new Map();
  for (const pid of Object.values(groups).flat()) {
    const seconds = await cpuSecondsOf(pid, reapedChildren);
    if (seconds !== undefined) sample.set(pid, seconds);
  }
  return sample;
}

/**
 * CPU seconds each group used between two samples, over the pids alive at both (a PostgreSQL
 * backend that exits in between takes its time with it, rather than counting negative).
 */
export function cpuBetween(
  groups: Record<string, readonly number[]>,
  before: CpuSample,
  after: CpuSample,
): Record<string, number> {
  const used: Record<string, number> = {};
  for (const [group, pids] of Object.entries(groups)) {
    used[group] = pids.reduce((sum, pid) => {
      const [a, b] = [before.get(pid), after.get(pid)];
      return a === undefined || b === undefined ? sum : sum + (b - a);
    }, 0);
  }
  return used;
}
