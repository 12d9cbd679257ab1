import { type ChangeEvent, type HostEvent } from './api-types.js';
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
  onChange(event: ChangeEvent): void;
  onHost(event: HostEvent): void;
  onState(state: LinkState, attempt: number): void;
  /** After a reconnect: events may have been missed, so everything is refetched. */
  onResync(): void;
  timers: Timers;
  /** Backoff for reconnects the page makes itself: 1 s, 2 s, 4 s … up to this. */
  maxBackoffMs?: number;
}

/**
 * The pool's server-sent events, kept open. EventSource retries network errors by itself, but
 * gives up for good on an HTTP error or a restart answering 503; then the page reconnects with
 * a backoff. Each (re)open after the first triggers a resync.
 */
export class LiveStream {
  private source: EventSourceLike | null = null;
  private retryTimer: unknown = null;
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
    source.onopen = () => {
      if (this.source !== source) return;
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
        source.close();
        this.source = null;
        const delay = Math.min(1000 * 2 ** (this.attempt - 1), options.maxBackoffMs ?? 15_000);
        options.onState('reconnecting', this.attempt);
        this.retryTimer = options.timers.setTimeout(() => {
          this.retryTimer = null;
          if (!this.stopped) this.connect();
        }, delay);
      } else {
        // The browser is retrying on its own.
        options.onState('reconnecting', this.attempt);
      }
    };
    source.addEventListener('change', (event) => {
      const data = parse(event.data);
      if (data && Array.isArray(data.kinds)) options.onChange(data as unknown as ChangeEvent);
    });
    source.addEventListener('host', (event) => {
      const data = parse(event.data);
      if (data && typeof data.hostId === 'string') options.onHost(data as unknown as HostEvent);
    });
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
