/** Short, wall-screen friendly renderings of numbers, sizes and durations. */

const NUMBER = new Intl.NumberFormat('en-US');

export function count(n: number): string {
  return NUMBER.format(n);
}

/** `1.2 GB`, `930 kB`: decimal units, as link speeds and switch counters are read. */
export function bytes(n: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];
  let value = n;
  let unit = 0;
  while (Math.abs(value) >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  const digits = unit === 0 || value >= 100 ? 0 : 1;
  return `${value.toFixed(digits)} ${units[unit]}`;
}

/** `800 kbit`, `1.5 Mbit`, `10 Gbit`: QoS rates and bursts (decimal units, as link speeds). */
export function kbit(n: number): string {
  const units = ['kbit', 'Mbit', 'Gbit', 'Tbit'];
  let value = n;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${Number(value.toFixed(1))} ${units[unit]}`;
}

/** `850 ms`, `12 s`, `4 min 05 s`, `3 h 02 min`, `2 d 04 h`. */
export function duration(seconds: number): string {
  if (seconds < 0) seconds = 0;
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  if (seconds < 60) return `${Math.floor(seconds)} s`;
  const pad = (n: number) => String(n).padStart(2, '0');
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${pad(Math.floor(seconds % 60))} s`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ${pad(minutes % 60)} min`;
  return `${Math.floor(hours / 24)} d ${pad(hours % 24)} h`;
}

/** Seconds from an ISO instant to `now`, or null when there is no instant (or a bad one). */
export function secondsSince(iso: string | null | undefined, now: number): number | null {
  if (!iso) return null;
  const at = Date.parse(iso);
  return Number.isNaN(at) ? null : Math.max(0, (now - at) / 1000);
}

/** `4 s ago`, `just now` under a second (a wall screen should not flicker ms), or `never`. */
export function age(iso: string | null | undefined, now: number): string {
  const seconds = secondsSince(iso, now);
  if (seconds === null) return 'never';
  return seconds < 1 ? 'just now' : `${duration(seconds)} ago`;
}

/** `14:03:07` local time, for "last update" stamps. */
export function clock(at: number): string {
  return new Date(at).toLocaleTimeString('en-GB', { hour12: false });
}
