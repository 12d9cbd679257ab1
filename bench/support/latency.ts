/** Latency distribution of one measured cell, in milliseconds. */
export interface LatencySummary {
  count: number;
  mean: number;
  p50: number;
  p99: number;
  max: number;
}

/**
 * Records every sample and sorts them once at the end (exact percentiles; `hdr-histogram-js` is
 * not installed). A few hundred thousand samples per cell cost a few MB.
 */
export class LatencyRecorder {
  private samples = new Float64Array(4096);
  private size = 0;

  record(ms: number): void {
    if (this.size === this.samples.length) {
      const grown = new Float64Array(this.samples.length * 2);
      grown.set(this.samples);
      this.samples = grown;
    }
    this.samples[this.size++] = ms;
  }

  get count(): number {
    return this.size;
  }

  summary(): LatencySummary {
    const sorted = this.samples.slice(0, this.size).sort();
    let sum = 0;
    for (const s of sorted) sum += s;
    return {
      count: this.size,
      mean: this.size === 0 ? NaN : sum / this.size,
      p50: percentile(sorted, 0.5),
      p99: percentile(sorted, 0.99),
      max: this.size === 0 ? NaN : sorted[this.size - 1]!,
    };
  }
}

/** Nearest-rank percentile of ascending samples. */
export function percentile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil(q * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}
