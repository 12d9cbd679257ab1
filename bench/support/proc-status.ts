import { readFile } from 'node:fs/promises';

/** Linux only: one `kB` field of `/proc/<pid>/status` (VmRSS, VmHWM…), in kB. */
export async function procStatusKb(pid: number, field: string): Promise<number> {
  const text = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text)?.[1];
  return Number(kb ?? NaN);
}
