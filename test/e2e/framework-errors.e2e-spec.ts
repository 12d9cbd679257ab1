/**
 * Errors raised before any route runs — Fastify's router (a URL that does not decode, a path
 * part over its length limit) and Node's HTTP parser (headers over 16 KiB, bytes that are not
 * HTTP/1.1, conflicting body framing) — answer in the APIs' `{ statusCode, code, message }`
 * shape with a stable code, on the built pool master and the built projection (read API). Sent
 * as raw bytes over a socket, since fetch would refuse to send most of them. (They used to
 * answer in Fastify's own shape, with no code or its internal FST_ERR_* names.) The apps keep
 * serving afterwards.
 */
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../support/databases.js';
import { createTestNats } from '../support/nats.js';
import { startAppProcess, startPoolMasterProcess } from '../support/pool-master-process.js';
import { killStarted } from '../support/processes.js';

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let nats: Awaited<ReturnType<typeof createTestNats>>;
const bases: Record<'master' | 'projection', string> = { master: '', projection: '' };

beforeAll(async () => {
  database = await createTestDatabase();
  nats = await createTestNats();
  bases.master = (await startPoolMasterProcess(database.url, nats)).base;
  bases.projection = (
    await startAppProcess('projection', database.url, nats, { MIGRATION_COORDINATOR: 'false' })
  ).base;
});

afterAll(async () => {
  killStarted();
  await nats?.close();
  await database?.drop();
});

interface RawAnswer {
  status: number;
  headers: string;
  body: Record<string, unknown>;
  text: string;
}

/** Writes `bytes` to the app's port and reads the answer until the server closes or replies. */
const raw = (base: string, bytes: string): Promise<RawAnswer> =>
  new Promise((resolve, reject) => {
    const { hostname, port } = new URL(base);
    const socket = connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    const finish = () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const [head = '', body = ''] = text.split('\r\n\r\n');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0);
      let parsed: Record<string, unknown> = {};
      try {
        parsed = JSON.parse(body) as Record<string, unknown>;
      } catch {
        // The expectations below fail with the text shown.
      }
      resolve({ status, headers: head, body: parsed, text });
    };
    socket.setTimeout(5_000, () => {
      socket.destroy();
      reject(new Error(`no answer to ${JSON.stringify(bytes.slice(0, 80))}`));
    });
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      // A complete answer with a Content-Length: do not wait for a keep-alive to end.
      const text = Buffer.concat(chunks).toString('utf8');
      const length = /content-length: (\d+)/i.exec(text)?.[1];
      const split = text.indexOf('\r\n\r\n');
      if (length !== undefined && split >= 0 && Buffer.byteLength(text) - split - 4 >= +length) {
        socket.end();
        finish();
      }
    });
    socket.on('close', finish);
    socket.on('error', () => undefined);
    socket.write(bytes);
  });

const get = (path: string, headers = '') =>
  `GET ${path} HTTP/1.1\r\nHost: localhost\r\n${headers}Connection: close\r\n\r\n`;

/** A JSON POST to the app's path with these framing headers and body bytes. */
const post = (app: keyof typeof PATHS, framing: string, body: string) =>
  `POST ${PATHS[app]('p')} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n` +
  `${framing}\r\n\r\n${body}`;

/** Per app: a path with one id the router matches as a parameter. */
const PATHS = {
  master: (id: string) => `/pools/${id}/vms/x`,
  projection: (id: string) => `/api/pools/${id}/vms`,
};

const CASES = [
  {
    name: 'headers over 16 KiB',
    request: (app: keyof typeof PATHS) => get(PATHS[app]('p'), `X-Big: ${'a'.repeat(20_000)}\r\n`),
    status: 431,
    code: 'HEADERS_TOO_LARGE',
  },
  {
    name: 'a request line over 16 KiB',
    request: (app: keyof typeof PATHS) => get(PATHS[app]('p') + '?q=' + 'a'.repeat(20_000)),
    status: 431,
    code: 'HEADERS_TOO_LARGE',
  },
  {
    name: 'a path part over the router limit',
    request: (app: keyof typeof PATHS) => get(PATHS[app]('a'.repeat(300))),
    status: 414,
    code: 'URI_TOO_LONG',
  },
  {
    name: 'a broken percent escape',
    request: (app: keyof typeof PATHS) => get(PATHS[app]('%E0%A4%A')),
    status: 400,
    code: 'BAD_URL',
  },
  ...(
    [
      ['a garbage request line', () => 'HELLO THERE\r\n\r\n'],
      [
        'Content-Length beside chunked Transfer-Encoding',
        (app) => post(app, 'Content-Length: 5\r\nTransfer-Encoding: chunked', '0\r\n\r\n'),
      ],
      [
        'two different Content-Lengths',
        (app) => post(app, 'Content-Length: 2\r\nContent-Length: 3', '{}'),
      ],
      [
        'a bad chunk size',
        (app) => post(app, 'Transfer-Encoding: chunked', 'zz\r\n{}\r\n0\r\n\r\n'),
      ],
      ['a header line without a colon', (app) => get(PATHS[app]('p'), 'Broken header\r\n')],
    ] as const satisfies [string, (app: keyof typeof PATHS) => string][]
  ).map(([name, request]) => ({ name, request, status: 400, code: 'MALFORMED_HTTP' }) as const),
] as const;

describe.each(['master', 'projection'] as const)('the %s', (app) => {
  it.each(CASES)('answers $name with $status $code in the API shape', async (c) => {
    const answer = await raw(bases[app], c.request(app));
    expect(answer.status, answer.text.slice(0, 300)).toBe(c.status);
    expect(answer.headers).toMatch(/content-type: application\/json/i);
    expect(answer.body).toEqual({
      statusCode: c.status,
      code: c.code,
      message: expect.stringMatching(/\S\.$/) as unknown,
    });
    expect(answer.text).not.toMatch(/FST_|HPE_/);
  });

  it('still serves afterwards', async () => {
    expect((await fetch(`${bases[app]}/health`)).status).toBe(200);
  });
});
