import type { ChangeEventView, HostEventView } from '@pool/contracts';
import { type Timers } from './refresh-queue.js';

/** The part of the browser's EventSource the dashboard uses. */
export interface EventSourceLike {
  readonly readyState: number;
  onopen: ((event: unknown) => void) | null;
  onerror: ((event: unknown) => void) | null;
  addEventListener(type: string, listener: (event: { data?: unknown }) => void): void;
  close(): void;
}

const CLOSED = 2;

export type LinkState = 'connecting' | 'live' | 'reconnecting' | 'stopped';

export interface LiveStreamOptions {
  url: string;
  open(url: string): EventSourceLike;
  onChange(event: ChangeEventView): void;
  onHost(event: HostEventView): void;
  onState(state: LinkState, attempt: number): void;
  /** After a reconnect: events may have been missed, so everything is refetched. */
  onResync(): void;
  timers: Timers;
  /** Backoff for reconnects the page makes itself: 1 s, 2 s, 4 s … up to this. */
  maxBackoffMs?: number;
}

/** The server's heartbeat interval until its first heartbeat says otherwise. */
export const DEFAULT_HEARTBEAT_MS = 5_000;
/** Missed heartbeats before the link counts as lost: one late beat is not an outage. */
export const MISSED_HEARTBEATS = 3;

/**
 * The pool's server-sent events, kept open. EventSource retries network errors by itself, but
 * gives up for good on an HTTP error or a restart answering 503; then the page reconnects with
 * a backoff. Each (re)open after the first triggers a resync.
 *
 * A stream can also die without an error: the server hangs (stopped, overloaded, a half-open
 * TCP connection behind a NAT) and the socket stays open with nothing on it. The server sends
 * `event: heartbeat` every few seconds; when neither it nor any other event arrives within
 * three intervals, the link is lost: the source is closed and reopened with the backoff.
 */
export class LiveStream {
  private source: EventSourceLike | null = null;
  private retryTimer: unknown = null;
  private watchdog: unknown = null;
  private heartbeatMs = DEFAULT_HEARTBEAT_MS;
  private attempt = 0;
  private everOpen = false;
  private stopped = false;

  constructor(private readonly options: LiveStreamOptions) {}

  start(): void {
    this.stopped = false;
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    if (this.retryTimer !== null) this.options.timers.clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.disarm();
    this.source?.close();
    this.source = null;
    this.options.onState('stopped', this.attempt);
  }

  private connect(): void {
    const { options } = this;
    options.onState(
      this.everOpen || this.attempt > 0 ? 'reconnecting' : 'connecting',
      this.attempt,
    );
    const source = options.open(options.url);
    this.source = source;
    // A connection that hangs before it opens counts as lost too.
    this.arm(source);
    source.onopen = () => {
      if (this.source !== source) return;
      this.arm(source);
      const resync = this.everOpen || this.attempt > 0;
      this.everOpen = true;
      this.attempt = 0;
      options.onState('live', 0);
      if (resync) options.onResync();
    };
    source.onerror = () => {
      if (this.source !== source || this.stopped) return;
      this.attempt += 1;
      if (source.readyState === CLOSED) {
        this.retry(source);
      } else {
        // The browser is retrying on its own.
        options.onState('reconnecting', this.attempt);
      }
    };
    source.addEventListener('heartbeat', (event) => {
      if (this.source !== source) return;
      const intervalMs = parse(event.data)?.intervalMs;
      if (typeof intervalMs === 'number' && intervalMs > 0) this.heartbeatMs = intervalMs;
      this.arm(source);
    });
    source.addEventListener('change', (event) => {
      if (this.source !== source) return;
      this.arm(source);
      const data = parse(event.data);
      if (data && Array.isArray(data.kinds)) options.onChange(data as unknown as ChangeEventView);
    });
    source.addEventListener('host', (event) => {
      if (this.source !== source) return;
      this.arm(source);
      const data = parse(event.data);
      if (data && typeof data.hostId === 'string') options.onHost(data as unknown as HostEventView);
    });
  }

  /** Gives up on `source` and opens a new one after the backoff. */
  private retry(source: EventSourceLike): void {
    const { options } = this;
    this.disarm();
    source.close();
    this.source = null;
    const delay = Math.min(1000 * 2 ** (this.attempt - 1), options.maxBackoffMs ?? 15_000);
    options.onState('reconnecting', this.attempt);
    this.retryTimer = options.timers.setTimeout(() => {
      this.retryTimer = null;
      if (!this.stopped) this.connect();
    }, delay);
  }

  /** (Re)starts the wait for the next sign of life from `source`. */
  private arm(source: EventSourceLike): void {
    this.disarm();
    this.watchdog = this.options.timers.setTimeout(() => {
      this.watchdog = null;
      if (this.source !== source || this.stopped) return;
      this.attempt += 1;
      this.retry(source);
    }, this.heartbeatMs * MISSED_HEARTBEATS);
  }

  private disarm(): void {
    if (this.watchdog !== null) this.options.timers.clearTimeout(this.watchdog);
    this.watchdog = null;
  }
}

function parse(data: unknown): Record<string, unknown> | null {
  if (typeof data !== 'string') return null;
  try {
    const value: unknown = JSON.parse(data);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
