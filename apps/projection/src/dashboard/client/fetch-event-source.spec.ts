import { describe, expect, it } from 'vitest';
import { FetchEventSource, SseParser } from './fetch-event-source.js';

const parse = (chunks: string[]) => {
  const events: [string, string][] = [];
  const parser = new SseParser((type, data) => events.push([type, data]));
  for (const chunk of chunks) parser.push(chunk);
  return events;
};

describe('SseParser', () => {
  it('parses typed events, multi-line data and skips comments', () => {
    expect(
      parse([': heartbeat\n\nevent: change\ndata: {"a":1}\n\ndata: x\ndata:y\n\nevent: host\n']),
    ).toEqual([
      ['change', '{"a":1}'],
      ['message', 'x\ny'],
    ]);
  });

  it('handles events split anywhere across chunks, and every line ending', () => {
    const whole =
      'event: change\r\ndata: 1\r\n\r\nevent: host\rdata: 2\r\revent: change\ndata: 3\n\n';
    const expected = [
      ['change', '1'],
      ['host', '2'],
      ['change', '3'],
    ];
    for (let cut = 1; cut < whole.length; cut += 1) {
      expect(parse([whole.slice(0, cut), whole.slice(cut)]), `cut at ${cut}`).toEqual(expected);
    }
  });
});

describe('FetchEventSource', () => {
  it('sends the headers, opens, and hands events to listeners', async () => {
    let sent: Headers | undefined;
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('event: change\ndata: {"v":1}\n\n'));
        controller.close();
      },
    });
    const fetchFn = ((_: string, init: RequestInit) => {
      sent = new Headers(init.headers);
      return Promise.resolve(
        new Response(body, { headers: { 'content-type': 'text/event-stream' } }),
      );
    }) as typeof fetch;
    const source = new FetchEventSource('/s', { authorization: 'Bearer t' }, fetchFn);
    const seen: unknown[] = [];
    source.addEventListener('change', (e) => seen.push(e.data));
    const closed = new Promise<void>((resolve) => (source.onerror = () => resolve()));
    let opened = false;
    source.onopen = () => (opened = true);
    await closed; // the body ended: reported as an error, readyState CLOSED
    expect(sent?.get('authorization')).toBe('Bearer t');
    expect(opened).toBe(true);
    expect(seen).toEqual(['{"v":1}']);
    expect(source.readyState).toBe(2);
  });

  it('reports an HTTP error as CLOSED, and nothing once closed on purpose', async () => {
    const denied = new FetchEventSource('/s', {}, () =>
      Promise.resolve(new Response('{}', { status: 401 })),
    );
    await new Promise<void>((resolve) => (denied.onerror = () => resolve()));
    expect(denied.readyState).toBe(2);

    let errors = 0;
    const never = new FetchEventSource(
      '/s',
      {},
      ((_: string, init: RequestInit) =>
        new Promise((_, reject) =>
          init.signal?.addEventListener('abort', () => reject(new Error('aborted'))),
        )) as typeof fetch,
    );
    never.onerror = () => (errors += 1);
    never.close();
    await new Promise((r) => setTimeout(r, 10));
    expect(errors).toBe(0);
  });
});
