import { type DataSource } from 'typeorm';

/**
 * Errors that mean "the server is not there yet": refused or unresolvable while its container
 * starts, or PostgreSQL's own 57P03 while it runs first-start initialisation (the official image
 * answers on its socket before it opens TCP). Anything else (a wrong password, a missing
 * database) is a real error and fails at once.
 */
const NOT_YET = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNRESET', '57P03']);

export function isNotReadyYet(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && NOT_YET.has(code);
}

export interface RetryOptions {
  /** Total time to keep trying, from the first attempt. */
  readonly deadlineMs: number;
  readonly firstDelayMs: number;
  readonly maxDelayMs: number;
  readonly onRetry?: (attempt: number, delayMs: number, error: unknown) => void;
  readonly sleep?: (ms: number) => Promise<void>;
}

export const DEFAULT_RETRY: RetryOptions = { deadlineMs: 60_000, firstDelayMs: 250, maxDelayMs: 5_000 };

/**
 * Initialises a DataSource, retrying the first connection with a doubling delay (bounded by
 * maxDelayMs) until deadlineMs has passed; then the last error is thrown as it is.
 */
export async function initializeWithRetry(
  create: () => DataSource,
  options: RetryOptions = DEFAULT_RETRY,
): Promise<DataSource> {
  const sleep = options.sleep ?? ((ms) => new Promise<void>((r) => setTimeout(r, ms)));
  const started = Date.now();
  let delay = options.firstDelayMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await create().initialize();
    } catch (error) {
      const left = options.deadlineMs - (Date.now() - started);
      if (!isNotReadyYet(error) || left <= 0) throw error;
      const wait = Math.min(delay, left);
      options.onRetry?.(attempt, wait, error);
      await sleep(wait);
      delay = Math.min(delay * 2, options.maxDelayMs);
    }
  }
}
