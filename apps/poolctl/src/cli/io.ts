import { type Fetch } from '../http/http-client.js';

/** Where output goes; `isTTY` decides whether progress bars are drawn. */
export interface Writer {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/** Everything poolctl takes from its process, so tests can run it in-process. */
export interface CliIo {
  fetch: Fetch;
  env: Readonly<Record<string, string | undefined>>;
  stdout: Writer;
  stderr: Writer;
  /** Resolves after `ms`, or at once when `signal` aborts. */
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** A fresh Idempotency-Key. */
  newKey: () => string;
  /** Stops `--follow` and waits (Ctrl-C). */
  signal?: AbortSignal;
}
