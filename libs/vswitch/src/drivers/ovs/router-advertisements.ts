import { run } from './exec.js';
import type { ResolvedOvsOptions } from './ovs-options.js';

/** `accept_ra` 2: taken even where the namespace forwards (a hypervisor often does). */
const ACCEPT = '2';

/**
 * The kernel's IPv6 settings for a device whose IPv6 is `autoconf` (SLAAC) or `dhcp`, set with
 * sysctl in the namespace ovs-vswitchd runs in (a namespace has its own /proc/sys/net): router
 * advertisements accepted in both (the default route; DHCPv6 carries none), and SLAAC addresses
 * formed (`autoconf` 1) only in `autoconf`, so a `dhcp` interface holds the server's lease
 * alone. Written before the device is set up, so the router solicitation it sends on coming up
 * is answered while it listens. The names use `/` (net/ipv6/conf/<device>/…): a VLAN device's
 * name has a dot, which sysctl's dotted form would split.
 */
export class RouterAdvertisements {
  constructor(private readonly options: ResolvedOvsOptions) {}

  /**
   * Sets them; on a device already up whose settings were others, IPv6 is restarted on it
   * (`disable_ipv6` 1 then 0: its IPv4 is untouched), so it solicits the routers at once
   * rather than waiting for their next unsolicited advertisement (minutes: dnsmasq backs off
   * to ten). Only an interface whose IPv6 is the routers' or a server's has it restarted.
   */
  async accept(device: string, slaac: boolean, up: boolean): Promise<void> {
    if (await this.accepting(device, slaac)) return;
    const [ra, autoconf] = this.keys(device);
    await this.sysctl(['-qw', `${ra}=${ACCEPT}`, `${autoconf}=${slaac ? 1 : 0}`]);
    if (!up) return;
    const disable = `net/ipv6/conf/${device}/disable_ipv6`;
    await this.sysctl(['-qw', `${disable}=1`]);
    await this.sysctl(['-qw', `${disable}=0`]);
  }

  /**
   * No SLAAC addresses on `device` (a static IPv6 address is the only one it is to hold; an
   * advertisement with the A flag would otherwise add one beside it after every pass).
   */
  async noSlaac(device: string): Promise<void> {
    const [, autoconf] = this.keys(device);
    if ((await this.sysctl(['-n', autoconf]).catch(() => '')).trim() === '0') return;
    await this.sysctl(['-qw', `${autoconf}=0`]);
  }

  /** Whether `device` accepts them as `accept` set it (a setting undone by hand reads false). */
  async accepting(device: string, slaac: boolean): Promise<boolean> {
    const text = await this.sysctl(['-n', ...this.keys(device)]).catch(() => '');
    const [ra, autoconf] = text.split('\n').map((line) => line.trim());
    return ra === ACCEPT && autoconf === (slaac ? '1' : '0');
  }

  private keys(device: string): [string, string] {
    return [`net/ipv6/conf/${device}/accept_ra`, `net/ipv6/conf/${device}/autoconf`];
  }

  private sysctl(args: string[]): Promise<string> {
    const { netns, ip, timeoutMs } = this.options;
    const [file, rest] = netns
      ? [ip, ['netns', 'exec', netns, 'sysctl', ...args]]
      : ['sysctl', args];
    return run(file, rest, { timeoutMs });
  }
}
