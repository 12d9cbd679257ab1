import { type EventSourceLike } from './live-stream.js';

type Listener = (event: { data?: unknown }) => void;

/**
 * Splits a `text/event-stream` body into events (the WHATWG parsing rules the dashboard needs:
 * `event:` and `data:` fields, comment lines, any line ending; `id` and `retry` are ignored).
 */
export class SseParser {
  private buffer = '';
  private type = '';
  private data: string[] = [];

  constructor(private readonly dispatch: (type: string, data: string) => void) {}

  push(chunk: string): void {
    this.buffer += chunk;
    // A trailing '\r' may be the first half of '\r\n': it waits for the next chunk.
    const ready = this.buffer.endsWith('\r') ? this.buffer.slice(0, -1) : this.buffer;
    const held = this.buffer.slice(ready.length);
    const lines = ready.split(/\r\n|\r|\n/);
    // The last piece has no line ending yet.
    this.buffer = (lines.pop() ?? '') + held;
    for (const line of lines) this.line(line);
  }

  private line(line: string): void {
    if (line === '') {
      if (this.data.length > 0) this.dispatch(this.type || 'message', this.data.join('\n'));
      this.type = '';
      this.data = [];
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') this.type = value;
    else if (field === 'data') this.data.push(value);
  }
}

/**
 * An EventSource over `fetch`, for when the API wants a bearer token: the browser's
 * EventSource cannot send headers. Like EventSource after an HTTP error, it does not retry by
 * itself (readyState CLOSED); `LiveStream` reconnects with its backoff.
 */
export class FetchEventSource implements EventSourceLike {
  readyState = 0;
  onopen: ((event: unknown) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  private readonly listeners = new Map<string, Listener[]>();
  private readonly abort = new AbortController();

  constructor(
    url: string,
    headers: Record<string, string>,
    fetchFn: typeof fetch = (input, init) => fetch(input, init),
  ) {
    void this.run(url, headers, fetchFn);
  }

  addEventListener(type: string, listener: Listener): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }

  close(): void {
    this.readyState = 2;
    this.abort.abort();
  }

  private async run(url: string, headers: Record<string, string>, fetchFn: typeof fetch) {
    try {
      const response = await fetchFn(url, {
        headers: { accept: 'text/event-stream', ...headers },
        signal: this.abort.signal,
      });
      if (!response.ok || !response.body) return this.fail();
      this.readyState = 1;
      this.onopen?.({});
      const parser = new SseParser((type, data) => {
        for (const listener of this.listeners.get(type) ?? []) listener({ data });
      });
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        parser.push(value);
      }
      this.fail();
    } catch {
      this.fail();
    }
  }

  private fail(): void {
    if (this.abort.signal.aborted) return; // closed on purpose: no error to report
    this.readyState = 2;
    this.onerror?.({});
  }
}
