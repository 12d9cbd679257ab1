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

/** The address family a client serves: `-4` (DHCPv4) or `-6` (DHCPv6, IA_NA). */
export type DhcpFamily = 4 | 6;

const FAMILY = { 4: 'inet', 6: 'inet6' } as const;

/**
 * ISC dhclient (Debian's `isc-dhcp-client`) run by the host for each interface in `dhcp` mode,
 * one daemon per device and family (`-4` or `-6`), in the namespace ovs-vswitchd runs in, with
 * its pid and lease files in `stateDir`: `dhclient-<device>.pid`, `.leases`, `.ifindex` (the
 * kernel index of the device it was started on) and `.dns` (the DNS servers of the lease, which
 * the script writes); `dhclient6-<device>.*` for DHCPv6. Supervised by the drift pass: a client
 * that is not running (killed, crashed) or runs on a device that was recreated since (a moved
 * internal port, a rebuilt bridge: a new device under the same name, with a new MAC) reads as
 * not configured, and the repair starts it again. Stopped with `-r`, which sends DHCPRELEASE
 * (DHCPv6 Release), so the server frees the address at once rather than at the lease's end.
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

  /** A client of `family` on `device` as it is now, started (or restarted) unless one is. */
  async ensure(device: string, family: DhcpFamily): Promise<void> {
    const link = await this.link(device);
    if ((await this.runningOn(device, family)) === link.ifindex) return;
    await this.stop(device, family);
    // Addresses without a lifetime were written by hand or as static: a lease has one.
    for (const a of link.addr_info ?? []) {
      const global = family === 4 || !a.local.toLowerCase().startsWith('fe80:');
      if (a.family === FAMILY[family] && global && (a.valid_life_time ?? FOREVER) >= FOREVER) {
        await this.ip([`-${family}`, 'addr', 'del', `${a.local}/${a.prefixlen}`, 'dev', device]);
      }
    }
    await this.files();
    await this.exec([`-${family}`, '-nw', ...this.args(device, family)]);
    await writeFile(this.path(device, family, 'ifindex'), String(link.ifindex));
    // The daemon writes its pid file after it forked: wait for it, so a read-back right after
    // this apply finds the client running rather than planning to start another.
    for (let i = 0; i < 100; i++) {
      const pid = await this.pid(device, family);
      if (pid !== undefined && alive(pid, device, family)) return;
      await sleep(20);
    }
    throw new Error(`dhclient -${family} on ${device} did not start (no live pid in its pid file)`);
  }

  /**
   * The client of `family` (of both without one) on `device`, if one runs, releases its lease
   * and stops; one whose device is gone already (or that does not answer) is ended by its pid.
   * A client that died is not released for: its successor asks for the same lease (the lease
   * file stays), and the address stays on the device meanwhile.
   */
  async stop(device: string, family?: DhcpFamily): Promise<void> {
    for (const f of family ? [family] : ([4, 6] as const)) {
      const pid = await this.pid(device, f);
      if (pid !== undefined && alive(pid, device, f)) {
        await this.exec([`-${f}`, '-r', ...this.args(device, f)]).catch(() => undefined);
        if (alive(pid, device, f)) process.kill(pid, 'SIGTERM');
        for (let i = 0; i < 50 && alive(pid, device, f); i++) await sleep(20);
      }
      for (const suffix of ['pid', 'ifindex', 'dns']) {
        await rm(this.path(device, f, suffix), { force: true });
      }
    }
  }

  /** Whether a client of `family` runs on `device` as it is now (the device it started on). */
  async running(device: string, family: DhcpFamily): Promise<boolean> {
    const on = await this.runningOn(device, family);
    if (on === undefined) return false;
    return (await this.link(device).catch(() => undefined))?.ifindex === on;
  }

  /**
   * The DNS servers the leases of `device`'s clients carry (DHCPv4 option 6, then DHCPv6
   * option 23), as the script wrote them on each bind and renewal; none without a lease.
   */
  async dns(device: string): Promise<string[]> {
    const servers: string[] = [];
    for (const family of [4, 6] as const) {
      const text = await readFile(this.path(device, family, 'dns'), 'utf8').catch(() => '');
      for (const server of text.split(/\s+/).filter(Boolean)) {
        if (!servers.includes(server)) servers.push(server);
      }
    }
    return servers;
  }

  /** The kernel index of the device the live client was started on, if one runs. */
  private async runningOn(device: string, family: DhcpFamily): Promise<number | undefined> {
    const pid = await this.pid(device, family);
    if (pid === undefined || !alive(pid, device, family)) return undefined;
    const text = await readFile(this.path(device, family, 'ifindex'), 'utf8').catch(() => '');
    return text ? Number(text) : undefined;
  }

  private async pid(device: string, family: DhcpFamily): Promise<number | undefined> {
    const text = await readFile(this.path(device, family, 'pid'), 'utf8').catch(() => '');
    const pid = Number.parseInt(text, 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  }

  private async link(device: string): Promise<LinkInfo> {
    const [link] = JSON.parse(await this.ip(['-j', 'addr', 'show', 'dev', device])) as LinkInfo[];
    if (!link) throw new Error(`no device ${device}`);
    return link;
  }

  private args(device: string, family: DhcpFamily): string[] {
    return [
      ...['-pf', this.path(device, family, 'pid'), '-lf', this.path(device, family, 'leases')],
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

  /** `dhclient-<device>.<suffix>`, `dhclient6-` for DHCPv6 (the script writes `.dns` so too). */
  private path(device: string, family: DhcpFamily, suffix: string): string {
    return join(this.stateDir, `dhclient${family === 6 ? '6' : ''}-${device}.${suffix}`);
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

/** The process is there and is dhclient of `family` for `device` (not one that reused the pid). */
function alive(pid: number, device: string, family: DhcpFamily): boolean {
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    const six = argv.includes('-6');
    return (
      argv.some((a) => a.endsWith('dhclient')) && argv.at(-1) === device && six === (family === 6)
    );
  } catch {
    return false; // gone (a zombie's cmdline is empty: not alive either)
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
