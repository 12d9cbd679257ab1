import { performance } from 'node:perf_hooks';
import { LatencyRecorder, type LatencySummary } from './latency.js';

export interface WritersOptions {
  writers: number;
  seconds: number;
  /** One operation of writer `writer`; its latency is recorded when it resolves. */
  op: (writer: number) => Promise<void>;
  signal?: AbortSignal;
  /** Stop early after this many failed operations (default 100). */
  maxErrors?: number;
}

export interface WritersResult {
  /** Operations that succeeded. */
  ops: number;
  errors: number;
  firstError?: unknown;
  /** From the first start to the last operation's end (operations begun before the deadline finish). */
  elapsedSeconds: number;
  latency: LatencySummary;
}

/**
 * Runs `writers` concurrent loops, each awaiting one operation at a time, until `seconds` have
 * passed. Only successful operations count and are timed.
 */
export async function runWriters(options: WritersOptions): Promise<WritersResult> {
  const latency = new LatencyRecorder();
  const maxErrors = options.maxErrors ?? 100;
  let ops = 0;
  let errors = 0;
  let firstError: unknown;
  const start = performance.now();
  const deadline = start + options.seconds * 1000;

  const loop = async (writer: number): Promise<void> => {
    while (performance.now() < deadline && errors < maxErrors && !options.signal?.aborted) {
      const t0 = performance.now();
      try {
        await options.op(writer);
        latency.record(performance.now() - t0);
        ops++;
      } catch (error) {
        errors++;
        firstError ??= error;
      }
    }
  };

  await Promise.all(Array.from({ length: options.writers }, (_, w) => loop(w)));
  return {
    ops,
    errors,
    firstError,
    elapsedSeconds: (performance.now() - start) / 1000,
    latency: latency.summary(),
  };
}
