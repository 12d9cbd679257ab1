import { sleep } from './local-process.js';

export interface SampledHost {
  name: string;
  base: string;
}

interface Bridge {
  ports: { vifId: string; forwarding: boolean }[];
}

/** A VIF seen forwarding on more than one host in one sampling pass. */
export interface DoubleForwarding {
  vif: string;
  hosts: string[];
  firstSeen: number;
  lastSeen: number;
  /** Consecutive passes it was seen in. */
  passes: number;
}

/**
 * Samples the memory datapaths of all hosts (`GET /testing/datapath`, read concurrently) in a
 * loop and records every VIF found forwarding on two hosts in the same pass. A pass is not one
 * instant (the reads are concurrent, not atomic), so an overlap shorter than a pass can be
 * missed, never invented: a port seen forwarding was forwarding while its read ran.
 */
export class ForwardingSampler {
  passes = 0;
  readonly overlaps: DoubleForwarding[] = [];
  private open = new Map<string, DoubleForwarding>();
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly hosts: () => SampledHost[],
    private readonly intervalMs = 50,
  ) {}

  start(): void {
    this.stopped = false;
    this.running = this.loop();
  }

  async stop(): Promise<DoubleForwarding[]> {
    this.stopped = true;
    await this.running;
    this.overlaps.push(...this.open.values());
    this.open.clear();
    return this.overlaps;
  }

  /** One pass now: the VIFs forwarding on more than one host, with those hosts. */
  async sampleOnce(): Promise<Map<string, string[]>> {
    const forwarding = await this.pass();
    return new Map([...forwarding].filter(([, hosts]) => hosts.length > 1));
  }

  /** The longest overlap seen, from its first to its last pass (0 for a single pass). */
  get longestMs(): number {
    const all = [...this.overlaps, ...this.open.values()];
    return Math.max(0, ...all.map((o) => o.lastSeen - o.firstSeen));
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      const now = Date.now();
      const forwarding = await this.pass();
      const seen = new Set<string>();
      for (const [vif, hosts] of forwarding) {
        if (hosts.length < 2) continue;
        seen.add(vif);
        const open = this.open.get(vif);
        if (open) {
          open.lastSeen = now;
          open.passes++;
        } else {
          this.open.set(vif, { vif, hosts, firstSeen: now, lastSeen: now, passes: 1 });
        }
      }
      for (const [vif, overlap] of this.open) {
        if (seen.has(vif)) continue;
        this.overlaps.push(overlap);
        this.open.delete(vif);
      }
      this.passes++;
      await sleep(this.intervalMs);
    }
  }

  /** Reads every host's datapath at once: VIF → the hosts where its port forwards. */
  private async pass(): Promise<Map<string, string[]>> {
    const reads = await Promise.all(
      this.hosts().map(async (h) => {
        try {
          const response = await fetch(`${h.base}/testing/datapath`, {
            signal: AbortSignal.timeout(2000),
          });
          const actual = (await response.json()) as { bridges?: Bridge[] };
          return { host: h.name, bridges: actual.bridges ?? [] };
        } catch {
          return { host: h.name, bridges: [] as Bridge[] }; // down: forwards nothing we can see
        }
      }),
    );
    const forwarding = new Map<string, string[]>();
    for (const { host, bridges } of reads) {
      for (const port of bridges.flatMap((b) => b.ports)) {
        if (port.forwarding) {
          forwarding.set(port.vifId, [...(forwarding.get(port.vifId) ?? []), host]);
        }
      }
    }
    return forwarding;
  }
}
