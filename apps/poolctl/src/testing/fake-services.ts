import { type CommandOutcome } from '@pool/contracts';
import { type CliIo, type Writer } from '../cli/io.js';
import { runPoolctl } from '../program.js';

/** One request as the fake services saw it. */
export interface SeenRequest {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body: unknown;
}

export type Route = (request: SeenRequest) => { status: number; body?: unknown } | 'refuse';

export const MASTER = 'http://master.test';
export const PROJECTION = 'http://projection.test';

/** A writer that keeps what it was given; `isTTY` decides whether bars are drawn. */
export class Captured implements Writer {
  text = '';
  constructor(
    readonly isTTY = false,
    readonly columns = 120,
  ) {}
  write(chunk: string) {
    this.text += chunk;
    return true;
  }
}

/**
 * The master and projection as one fake `fetch`: each request goes to the first route that
 * answers (returns non-undefined); 'refuse' plays a connection refused. Unrouted → 599.
 */
export function fakeServices(...routes: ((r: SeenRequest) => ReturnType<Route> | undefined)[]) {
  const seen: SeenRequest[] = [];
  const respond = (input: string | URL, init: RequestInit = {}): Response => {
    const url = new URL(String(input));
    const request: SeenRequest = {
      method: init.method ?? 'GET',
      url,
      headers: { ...(init.headers as Record<string, string>) },
      body: typeof init.body === 'string' ? JSON.parse(init.body) : undefined,
    };
    seen.push(request);
    for (const route of routes) {
      const answer = route(request);
      if (answer === 'refuse') {
        throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
      }
      if (answer) {
        return new Response(answer.body === undefined ? '' : JSON.stringify(answer.body), {
          status: answer.status,
          headers: { 'content-type': 'application/json' },
        });
      }
    }
    return new Response(
      JSON.stringify({ code: 'UNROUTED', message: `${request.method} ${url.href}` }),
      {
        status: 599,
      },
    );
  };
  // A throw in the executor is a rejection, as fetch's own failures are.
  const fetch = ((input: string | URL, init?: RequestInit) =>
    new Promise<Response>((resolve) => resolve(respond(input, init)))) as typeof globalThis.fetch;
  return { fetch, seen };
}

/** Runs poolctl in-process against `fetch`; keys are key-1, key-2… */
export async function run(
  argv: string[],
  fetch: typeof globalThis.fetch,
  options: { env?: Record<string, string>; tty?: boolean; signal?: AbortSignal } = {},
) {
  const stdout = new Captured();
  const stderr = new Captured(options.tty ?? false);
  let keys = 0;
  const io: CliIo = {
    fetch,
    env: { POOLNET_MASTER: MASTER, POOLNET_PROJECTION: PROJECTION, ...options.env },
    stdout,
    stderr,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.min(ms, 5))),
    newKey: () => `key-${++keys}`,
    signal: options.signal,
  };
  const code = await runPoolctl(argv, io);
  return { code, stdout: stdout.text, stderr: stderr.text };
}

export const outcome = (fields: Partial<CommandOutcome> = {}): CommandOutcome => ({
  pool: 'lab',
  commandId: 'key-1',
  version: 7,
  firstVersion: 7,
  events: [],
  duplicate: false,
  enabledHosts: [],
  ...fields,
});

/** Answers every command to the master with `answer`. */
export const masterCommands =
  (answer: (r: SeenRequest) => { status: number; body?: unknown }) => (r: SeenRequest) =>
    r.url.origin === MASTER && r.method !== 'GET' ? answer(r) : undefined;
