import type { HostDesiredState } from '@pool/vswitch';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { syncDirectory } from './state-store.js';

/**
 * Where a host stands after its network watchdog rolled a change back: its switch holds the
 * desired state of `version` (kept whole, so a restart puts back exactly that, whatever the
 * replica has folded since), and it does not apply the log again while the log's newest state
 * has the same uplinks and bonds as the one it refused (`refusedShape`, uplink-touch.ts).
 */
export interface NetworkHold {
  version: number;
  refusedVersion: number;
  refusedShape: string;
  reason: string;
  /** When the host rolled back (ISO time). */
  since: string;
  desired: HostDesiredState;
  /** Whether the master has recorded it (HostNetworkRolledBack); sent again until it has. */
  recorded: boolean;
}

const FORMAT = 'poolnet-network-hold/1';

/** `network-hold.json` in the state directory, written whole (temp file, fsync, rename). */
export class NetworkHoldFile {
  constructor(private readonly dir: string) {}

  private get path(): string {
    return join(this.dir, 'network-hold.json');
  }

  async load(): Promise<NetworkHold | undefined> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    const { format, ...hold } = JSON.parse(text) as NetworkHold & { format?: string };
    if (format !== FORMAT) throw new Error(`${this.path} is not a ${FORMAT} file`);
    return hold;
  }

  async save(hold: NetworkHold): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const tmp = `${this.path}.tmp`;
    const file = await open(tmp, 'w');
    try {
      await file.write(JSON.stringify({ format: FORMAT, ...hold }));
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(tmp, this.path);
    await syncDirectory(this.dir);
  }

  async clear(): Promise<void> {
    await rm(this.path, { force: true });
    await syncDirectory(this.dir).catch(() => undefined);
  }
}
