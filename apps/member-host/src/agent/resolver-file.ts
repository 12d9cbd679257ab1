import { randomBytes } from 'node:crypto';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { HostSwitchState } from '@pool/vswitch';

/** The first line of a file the host wrote: how it knows the file is its own. */
const HEADER = '# Written by the poolnet member host from its management interface';

/**
 * The resolver file for the management interface's DNS servers: those the log gives it (static
 * DNS wins), else those its DHCP leases carry (`leasedDns`, by interface name, as the driver
 * reads them: DHCPv4 option 6, DHCPv6 option 23); undefined when it has neither.
 */
export function resolverText(
  state: HostSwitchState,
  leasedDns?: ReadonlyMap<string, readonly string[]>,
): string | undefined {
  const management = state.interfaces?.find((i) => i.purpose === 'management');
  if (!management) return undefined;
  const dhcp = [management.ipv4, management.ipv6].some((c) => c.mode === 'dhcp');
  const [servers, source] = management.dns?.length
    ? [management.dns, 'ConfigureHostInterface']
    : [dhcp ? (leasedDns?.get(management.name) ?? []) : [], 'its DHCP lease'];
  if (servers.length === 0) return undefined;
  const lines = servers.map((server) => `nameserver ${server}`);
  return `${HEADER} ${management.name} (${source}).\n${lines.join('\n')}\n`;
}

/**
 * The host's resolver file (`/etc/resolv.conf` by default), kept equal to the DNS servers the
 * log gives its management interface, or, when it gives none to an interface in DHCP mode, to
 * those its lease carries (DESIGN §1, host interfaces). Written whole to a
 * temporary file beside it and renamed over it, so a reader sees the old file or the new one,
 * never a part. Before each change the file as it was is kept in `previous` (in the state
 * directory): when the desired state has no DNS servers any more (the management interface
 * went, or a network rollback returns to a state from before poolnet managed the file), the
 * kept file is put back; otherwise a rollback writes the servers of the state it returns to.
 * A file the host did not write (no header) is left alone while there are no servers to write.
 */
export class ResolverFile {
  constructor(
    readonly path: string,
    /** Where the file as it was before the host's last change is kept. */
    readonly previous: string,
  ) {}

  /**
   * Brings the file to what `state` says (with `leasedDns`, the DNS servers of the DHCP leases
   * by interface); returns what it did, for the log. The one place the host writes the file.
   */
  async sync(
    state: HostSwitchState,
    leasedDns?: ReadonlyMap<string, readonly string[]>,
  ): Promise<'written' | 'restored' | 'unchanged'> {
    const want = resolverText(state, leasedDns);
    const current = await readFile(this.path, 'utf8').catch(() => undefined);
    if (want === undefined) {
      if (!current?.startsWith(HEADER)) return 'unchanged';
      const kept = await readFile(this.previous, 'utf8').catch(() => undefined);
      if (kept === undefined) return 'unchanged';
      await this.replace(kept);
      await rm(this.previous, { force: true });
      return 'restored';
    }
    if (current === want) return 'unchanged';
    // The operator's own file, or the host's as the last change left it, is what a step back
    // returns to.
    if (current !== undefined) await writeAtomically(this.previous, current);
    await this.replace(want);
    return 'written';
  }

  private replace(text: string): Promise<void> {
    return writeAtomically(this.path, text);
  }
}

/** write + fsync into a temporary file in the same directory, then rename over `path`. */
async function writeAtomically(path: string, text: string): Promise<void> {
  const temporary = join(dirname(path), `.${basename(path)}.${randomBytes(4).toString('hex')}`);
  try {
    await writeFile(temporary, text, { mode: 0o644, flush: true });
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}
