import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cp, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { NetnsLab } from './netns-lab.js';

/**
 * What the DHCP int-specs share: Debian's dnsmasq on the lab's physical switch (`sw`), the
 * clients the driver started, and polling for a lease.
 */

/** dnsmasq in the physical switch's namespace, serving `sw`, its files in `dir`, plus `args`. */
export function startDnsmasq(lab: NetnsLab, dir: string, args: string[]): ChildProcess {
  return spawn(
    'ip',
    [
      ...['netns', 'exec', lab.phys, 'dnsmasq', '--keep-in-foreground', '--conf-file=/dev/null'],
      ...['--port=0', '--interface=sw', '--bind-interfaces', '--user=root', '--group=root'],
      ...args,
      '--dhcp-authoritative',
      // No ICMP check of an address before offering it (which holds the first offer back
      // until the client's retransmission, ~3 s): the figure printed is the host's part.
      '--no-ping',
      `--dhcp-leasefile=${join(dir, 'dnsmasq.leases')}`,
      `--pid-file=${join(dir, 'dnsmasq.pid')}`,
      `--log-facility=${join(dir, 'dnsmasq.log')}`,
      '--log-dhcp',
    ],
    { stdio: 'ignore' },
  );
}

/** The process exists and is no zombie (a killed daemon waits for a reaper to collect it). */
export function processAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** The clients a suite's driver started and left running, by their pid files in `dhcpDir`. */
export async function stopClients(dhcpDir: string): Promise<void> {
  for (const file of await readdir(dhcpDir).catch(() => [] as string[])) {
    if (!file.endsWith('.pid')) continue;
    const pid = Number(await readFile(join(dhcpDir, file), 'utf8'));
    if (pid > 0 && processAlive(pid)) process.kill(pid, 'SIGTERM');
  }
}

/** Polls `read` until `done` holds of it (30 s at most); returns it with the time it took. */
export async function pollUntil<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  what: string,
): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  for (;;) {
    const value = await read();
    if (done(value)) return { value, ms: Math.round(performance.now() - started) };
    if (performance.now() - started > 30_000) throw new Error(`timed out: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * A suite's end: the clients, the server (by its pid), the lab; `dir` copied to $DHCP_DEBUG
 * first when set (leases, dnsmasq's log), then removed.
 */
export async function closeDhcpLab(
  lab: NetnsLab,
  dir: string,
  dnsmasq: ChildProcess | undefined,
): Promise<void> {
  await stopClients(join(dir, 'dhcp'));
  if (dnsmasq?.pid) process.kill(dnsmasq.pid, 'SIGTERM');
  if (process.env.DHCP_DEBUG) await cp(dir, process.env.DHCP_DEBUG, { recursive: true });
  await lab.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
}
