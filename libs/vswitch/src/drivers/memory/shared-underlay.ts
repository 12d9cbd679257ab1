import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TunnelPort } from '../../model/host-state.js';
import { pairKey, type MemoryUnderlay } from './memory-bfd.js';

/** One host's beat: when it last sent BFD, on which tunnels. */
interface Beat {
  host: string;
  at: number;
  tunnels: { localIp: string; remoteIp: string; vni: number }[];
}

const CUTS = 'cuts.json';
/** Tells apart the files one process writes aside at once (a beat on its timer, one on a read). */
let writes = 0;

/**
 * The underlay of member hosts that run the memory datapath in separate processes (a test pool,
 * a demo), as BFD sees it: a directory they share (MEMORY_UNDERLAY_DIR). Each host writes its
 * beat (`<host>.json`: the time and its tunnels) every BFD interval; a host hears its tunnel's
 * remote end as of that end's last beat, if the beat holds the tunnel back and no cut
 * (`cuts.json`, written by tests with `partition`) lies between them. A host stopped or killed
 * stops beating, so its peers read their tunnels to it `down` after the detect time
 * (memory-bfd.ts), and `up` again once it beats again. Frames are not carried between processes:
 * only liveness is.
 */
export class SharedUnderlay implements MemoryUnderlay {
  private beats: Beat[] = [];
  private cuts = new Set<string>();

  constructor(readonly dir: string) {}

  async announce(host: string, tunnels: readonly TunnelPort[], now: number): Promise<void> {
    const beat: Beat = {
      host,
      at: now,
      tunnels: tunnels.map(({ localIp, remoteIp, vni }) => ({ localIp, remoteIp, vni })),
    };
    await this.write(`${encodeURIComponent(host)}.json`, beat);
  }

  async refresh(): Promise<void> {
    const names = await readdir(this.dir).catch(() => [] as string[]);
    const beats = await Promise.all(
      names
        .filter((name) => name.endsWith('.json') && name !== CUTS)
        .map((name) => this.read<Beat>(name)),
    );
    this.beats = beats.filter((b): b is Beat => b !== undefined && Array.isArray(b.tunnels));
    this.cuts = new Set((await this.readCuts()).map(([a, b]) => pairKey(a, b)));
  }

  heardAt(host: string, tunnel: TunnelPort, now: number): number | undefined {
    const remote = this.beats.find(
      (b) => b.host !== host && b.tunnels.some((t) => t.localIp === tunnel.remoteIp),
    );
    if (!remote || this.cuts.has(pairKey(host, remote.host))) return undefined;
    const back = remote.tunnels.some(
      (t) => t.localIp === tunnel.remoteIp && t.remoteIp === tunnel.localIp && t.vni === tunnel.vni,
    );
    return back ? Math.min(remote.at, now) : undefined;
  }

  /** Cuts the underlay between two hosts, both ways (a test's partition). */
  async partition(a: string, b: string): Promise<void> {
    const cuts = (await this.readCuts()).filter(([x, y]) => pairKey(x, y) !== pairKey(a, b));
    await this.write(CUTS, [...cuts, [a, b]]);
  }

  /** Carries between two hosts again. */
  async heal(a: string, b: string): Promise<void> {
    const cuts = await this.readCuts();
    await this.write(
      CUTS,
      cuts.filter(([x, y]) => pairKey(x, y) !== pairKey(a, b)),
    );
  }

  private async readCuts(): Promise<[string, string][]> {
    return (await this.read<[string, string][]>(CUTS)) ?? [];
  }

  private async read<T>(name: string): Promise<T | undefined> {
    try {
      return JSON.parse(await readFile(join(this.dir, name), 'utf8')) as T;
    } catch {
      return undefined; // absent, or being replaced: read at the next refresh
    }
  }

  /** Whole files only: written aside, then renamed over the old one. */
  private async write(name: string, value: unknown): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const aside = join(this.dir, `.${name}.${process.pid}.${++writes}.tmp`);
    await writeFile(aside, JSON.stringify(value));
    await rename(aside, join(this.dir, name));
  }
}
