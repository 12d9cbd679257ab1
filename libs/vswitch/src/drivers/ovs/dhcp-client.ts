import { readFileSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DHCLIENT_CONF, DHCLIENT_SCRIPT } from './dhclient-script.js';
import { run } from './exec.js';
import type { DhcpClientOptions, ResolvedOvsOptions } from './ovs-options.js';

/** What the client needs of the driver's `ip`: run it in the host's namespace. */
export type IpRunner = (args: string[]) => Promise<string>;

interface LinkInfo {
  ifindex: number;
  addr_info?: { family: string; local: string; prefixlen: number; valid_life_time?: number }[];
}

/** iproute2's `valid_life_time` of an address without a lifetime (one written by hand). */
const FOREVER = 4_294_967_295;

/**
 * ISC dhclient (Debian's `isc-dhcp-client`) run by the host for each interface in `dhcp` mode
 * (IPv4), in the namespace ovs-vswitchd runs in, one daemon per device with its pid and lease
 * files in `stateDir`: `dhclient-<device>.pid`, `.leases`, and `.ifindex` (the kernel index of
 * the device it was started on). Supervised by the drift pass: a client that is not running
 * (killed, crashed) or runs on a device that was recreated since (a moved internal port, a
 * rebuilt bridge: a new device under the same name, with a new MAC) reads as not configured,
 * and the repair starts it again. Stopped with `-r`, which sends DHCPRELEASE, so the server
 * frees the address at once rather than at the lease's end.
 */
export class DhcpClients {
  private readonly stateDir: string;
  private readonly dhclient: string;

  constructor(
    private readonly options: ResolvedOvsOptions,
    dhcp: DhcpClientOptions,
    private readonly ip: IpRunner,
  ) {
    this.stateDir = dhcp.stateDir;
    this.dhclient = dhcp.dhclient ?? 'dhclient';
  }

  /** A client on `device` as it is now, started (or restarted) unless one already is. */
  async ensure(device: string): Promise<void> {
    const link = await this.link(device);
    if ((await this.runningOn(device)) === link.ifindex) return;
    await this.stop(device);
    // Addresses without a lifetime were written by hand or as static: a lease has one.
    for (const a of link.addr_info ?? []) {
      if (a.family === 'inet' && (a.valid_life_time ?? FOREVER) >= FOREVER) {
        await this.ip(['-4', 'addr', 'del', `${a.local}/${a.prefixlen}`, 'dev', device]);
      }
    }
    await this.files();
    await this.exec(['-4', '-nw', ...this.args(device)]);
    await writeFile(this.path(device, 'ifindex'), String(link.ifindex));
    // The daemon writes its pid file after it forked: wait for it, so a read-back right after
    // this apply finds the client running rather than planning to start another.
    for (let i = 0; i < 100; i++) {
      const pid = await this.pid(device);
      if (pid !== undefined && alive(pid, device)) return;
      await sleep(20);
    }
    throw new Error(`dhclient on ${device} did not start (no live pid in its pid file)`);
  }

  /**
   * The client on `device`, if one runs, releases its lease and stops; one whose device is gone
   * already (or that does not answer) is ended by its pid. A client that died is not released
   * for: its successor asks for the same lease (the lease file stays), and the address stays
   * on the device meanwhile.
   */
  async stop(device: string): Promise<void> {
    const pid = await this.pid(device);
    if (pid !== undefined && alive(pid, device)) {
      await this.exec(['-r', ...this.args(device)]).catch(() => undefined);
      if (alive(pid, device)) process.kill(pid, 'SIGTERM');
      for (let i = 0; i < 50 && alive(pid, device); i++) await sleep(20);
    }
    for (const suffix of ['pid', 'ifindex']) await rm(this.path(device, suffix), { force: true });
  }

  /** Whether a client runs on `device` as it is now (the same kernel device it started on). */
  async running(device: string): Promise<boolean> {
    const on = await this.runningOn(device);
    if (on === undefined) return false;
    return (await this.link(device).catch(() => undefined))?.ifindex === on;
  }

  /** The kernel index of the device the live client was started on, if one runs. */
  private async runningOn(device: string): Promise<number | undefined> {
    const pid = await this.pid(device);
    if (pid === undefined || !alive(pid, device)) return undefined;
    const text = await readFile(this.path(device, 'ifindex'), 'utf8').catch(() => '');
    return text ? Number(text) : undefined;
  }

  private async pid(device: string): Promise<number | undefined> {
    const text = await readFile(this.path(device, 'pid'), 'utf8').catch(() => '');
    const pid = Number.parseInt(text, 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  }

  private async link(device: string): Promise<LinkInfo> {
    const [link] = JSON.parse(await this.ip(['-j', 'addr', 'show', 'dev', device])) as LinkInfo[];
    if (!link) throw new Error(`no device ${device}`);
    return link;
  }

  private args(device: string): string[] {
    return [
      ...['-pf', this.path(device, 'pid'), '-lf', this.path(device, 'leases')],
      ...[
        '-sf',
        join(this.stateDir, 'dhclient-script'),
        '-cf',
        join(this.stateDir, 'dhclient.conf'),
      ],
      device,
    ];
  }

  /** The script and configuration dhclient runs with, as this version of poolnet has them. */
  private async files(): Promise<void> {
    await mkdir(this.stateDir, { recursive: true });
    await writeFile(join(this.stateDir, 'dhclient-script'), DHCLIENT_SCRIPT, { mode: 0o755 });
    await writeFile(join(this.stateDir, 'dhclient.conf'), DHCLIENT_CONF);
  }

  private path(device: string, suffix: string): string {
    return join(this.stateDir, `dhclient-${device}.${suffix}`);
  }

  /** dhclient in the host's namespace (`-nw` daemonizes at once, closing its output). */
  private exec(args: string[]): Promise<string> {
    const { netns, ip, timeoutMs } = this.options;
    const [file, rest] = netns
      ? [ip, ['netns', 'exec', netns, this.dhclient, ...args]]
      : [this.dhclient, args];
    return run(file, rest, { timeoutMs });
  }
}

/** The process is there and is dhclient for `device` (not another that reused the pid). */
function alive(pid: number, device: string): boolean {
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    return argv.some((a) => a.endsWith('dhclient')) && argv.at(-1) === device;
  } catch {
    return false; // gone (a zombie's cmdline is empty: not alive either)
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
