import type { CounterView } from '@pool/contracts';

/** Per second, from the two latest samples of one port's counters. */
export interface PortRates {
  rxPackets: number;
  txPackets: number;
  rxBytes: number;
  txBytes: number;
  /** Bytes per second in both directions, oldest first: the sparkline. */
  trend: number[];
}

interface Sample {
  at: number;
  rxPackets: number;
  txPackets: number;
  rxBytes: number;
  txBytes: number;
}

/** The sparkline's length: about a minute of reports at one a second, more at a slower pace. */
export const TREND_POINTS = 40;

const FIELDS = ['rxPackets', 'txPackets', 'rxBytes', 'txBytes'] as const;

export const portKey = (hostId: string, port: string): string => `${hostId}/${port}`;

/**
 * Rates per second, computed in the page from successive counter samples: hosts report
 * cumulative counters with the time they read them (`updatedAt`); a new sample is kept only
 * when that time moves, so refetching the same report adds nothing. A counter that went down
 * (the port was recreated, the host restarted) starts the port over instead of showing a
 * negative rate.
 */
export class CounterRates {
  private readonly last = new Map<string, Sample>();
  private readonly rates = new Map<string, PortRates>();

  record(counters: readonly CounterView[]): void {
    const seen = new Set<string>();
    for (const c of counters) {
      const key = portKey(c.hostId, c.port);
      seen.add(key);
      const at = Date.parse(c.updatedAt);
      if (Number.isNaN(at)) continue;
      const sample: Sample = { at, ...pick(c) };
      const previous = this.last.get(key);
      if (previous && at <= previous.at) continue;
      this.last.set(key, sample);
      if (!previous) continue;
      if (FIELDS.some((f) => sample[f] < previous[f])) {
        this.rates.delete(key);
        continue;
      }
      const seconds = (at - previous.at) / 1000;
      const per = (f: (typeof FIELDS)[number]) => (sample[f] - previous[f]) / seconds;
      const trend = [...(this.rates.get(key)?.trend ?? []), per('rxBytes') + per('txBytes')];
      this.rates.set(key, {
        rxPackets: per('rxPackets'),
        txPackets: per('txPackets'),
        rxBytes: per('rxBytes'),
        txBytes: per('txBytes'),
        trend: trend.slice(-TREND_POINTS),
      });
    }
    // A port its host no longer reports is forgotten, rates and all.
    for (const key of [...this.last.keys()]) {
      if (!seen.has(key)) {
        this.last.delete(key);
        this.rates.delete(key);
      }
    }
  }

  /** null until the port has been seen twice. */
  of(hostId: string, port: string): PortRates | null {
    return this.rates.get(portKey(hostId, port)) ?? null;
  }

  reset(): void {
    this.last.clear();
    this.rates.clear();
  }
}

const pick = (c: CounterView) => ({
  rxPackets: c.rxPackets,
  txPackets: c.txPackets,
  rxBytes: c.rxBytes,
  txBytes: c.txBytes,
});
