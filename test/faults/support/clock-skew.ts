import { writeFile } from 'node:fs/promises';
import path from 'node:path';

/*
 * A clock jump on one host, without touching the app: a module preloaded with `--import` (via
 * NODE_OPTIONS) replaces `Date` with one shifted by an offset it reads from the file named in
 * POOLNET_CLOCK_FILE whenever the process gets SIGUSR2, as NTP stepping the wall clock would.
 * Timers and `performance.now()` run on the monotonic clock and are left alone, as they are
 * by a real jump.
 */
const PRELOAD = `
import { readFileSync } from 'node:fs';
const RealDate = Date;
const file = process.env.POOLNET_CLOCK_FILE;
let offset = 0;
const read = () => {
  try { offset = Number(readFileSync(file, 'utf8')) || 0; } catch { offset = 0; }
};
if (file) {
  read();
  process.on('SIGUSR2', read);
  class SkewedDate extends RealDate {
    constructor(...args) {
      if (args.length === 0) super(RealDate.now() + offset);
      else super(...args);
    }
    static now() {
      return RealDate.now() + offset;
    }
  }
  globalThis.Date = SkewedDate;
}
`;

/** Writes the preload module once per directory and returns its path. */
export async function clockPreload(dir: string): Promise<string> {
  const file = path.join(dir, 'clock-skew.mjs');
  await writeFile(file, PRELOAD);
  return file;
}
