/**
 * The built projection's read API refuses ids and cursors no pool could hold with a 400 and a
 * code, before any query: a NUL byte used to reach PostgreSQL (`invalid byte sequence for
 * encoding "UTF8": 0x00`) and come back as a 500. Each case is also checked to leave the app
 * serving. Run `npm run build` first.
 */
import { createEventStorePool, PostgresEventStore } from '@pool/event-store';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ScriptedPool,
  scriptFullPool,
} from '../../apps/projection/src/read-models/testing/scripted-pool.js';
import { verifyReadModels } from '../../apps/projection/src/read-models/verify-read-models.js';
import { createTestDatabase } from '../support/databases.js';
import { createTestNats } from '../support/nats.js';
import { killStarted } from '../support/processes.js';
import { startAppProcess } from '../support/pool-master-process.js';

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let nats: Awaited<ReturnType<typeof createTestNats>>;
let db: pg.Pool;
let base: string;

const get = async (path: string) => {
  const response = await fetch(`${base}${path}`);
  const text = await response.text();
  return { status: response.status, body: JSON.parse(text) as Record<string, unknown> };
};

beforeAll(async () => {
  database = await createTestDatabase();
  nats = await createTestNats();
  db = createEventStorePool({ connectionString: database.url, max: 2 });
  const alpha = new ScriptedPool('alpha');
  scriptFullPool(alpha);
  await alpha.flush(new PostgresEventStore(db));
  ({ base } = await startAppProcess('projection', database.url, nats, {
    MIGRATION_COORDINATOR: 'false',
  }));
  const result = await verifyReadModels(database.url, { catchUpTimeoutMs: 60_000 });
  expect(result.differences).toEqual([]);
});

afterAll(async () => {
  killStarted();
  await db?.end();
  await nats?.close();
  await database?.drop();
});

const BAD_IDS = ['a%00b', '%00', 'a%20b', 'caf%C3%A9', 'x'.repeat(65), '-lead'];

/** Every route with an id in its path, the bad id put in each place in turn. */
const routes = (bad: string) => [
  `/api/pools/${bad}`,
  `/api/pools/${bad}/switch`,
  `/api/pools/${bad}/hosts`,
  `/api/pools/${bad}/networks`,
  `/api/pools/${bad}/vms`,
  `/api/pools/${bad}/addresses`,
  `/api/pools/${bad}/acls`,
  `/api/pools/${bad}/counters`,
  `/api/pools/${bad}/stream`,
  `/api/pools/alpha/hosts/${bad}`,
  `/api/pools/alpha/networks/${bad}`,
  `/api/pools/alpha/vms/${bad}`,
];

describe('read API ids', () => {
  it.each(BAD_IDS)('refuses %s in every id of a path with 400 INVALID_ID', async (bad) => {
    for (const path of routes(bad)) {
      const answer = await get(path);
      expect({ path, ...answer }).toMatchObject({
        path,
        status: 400,
        body: { statusCode: 400, code: 'INVALID_ID', message: expect.stringMatching(/\S/) },
      });
    }
  });

  it.each(['Lab', 'lab_1', 'a'.repeat(64)])(
    "refuses the pool id %s as the master does (lowercase, no '_', 63 at most)",
    async (bad) => {
      for (const path of routes(bad).filter((p) => p.startsWith(`/api/pools/${bad}`))) {
        expect({ path, ...(await get(path)) }).toMatchObject({
          path,
          status: 400,
          body: { code: 'INVALID_ID', details: { field: 'pool' } },
        });
      }
      // The same spelling names a host, network or VM well (their ids allow it).
      expect((await get(`/api/pools/alpha/vms/${bad.slice(0, 64)}`)).status).toBe(404);
    },
  );

  it('still answers a valid id: 200 when it exists, 404 when not', async () => {
    expect((await get('/api/pools/alpha')).status).toBe(200);
    expect(await get('/api/pools/alpha/vms/no_such-vm')).toMatchObject({
      status: 404,
      body: { code: expect.any(String) },
    });
  });
});

describe('read API cursors', () => {
  /** A cursor of each arity a list may take, every key a string holding a NUL. */
  const nulCursors = [1, 2, 3].map((arity) =>
    Buffer.from(JSON.stringify(Array.from({ length: arity }, () => 'a\u0000b'))).toString(
      'base64url',
    ),
  );

  it.each([
    '/api/pools',
    '/api/pools/alpha/hosts',
    '/api/pools/alpha/networks',
    '/api/pools/alpha/vms',
    '/api/pools/alpha/addresses',
    '/api/pools/alpha/migrations',
    '/api/pools/alpha/acls',
    '/api/pools/alpha/mirrors',
    '/api/pools/alpha/counters',
    '/api/pools/alpha/advice',
  ])('refuses a cursor holding a NUL on %s with 400 INVALID_CURSOR', async (path) => {
    for (const cursor of nulCursors) {
      expect(await get(`${path}?cursor=${cursor}`)).toMatchObject({
        status: 400,
        body: { statusCode: 400, code: 'INVALID_CURSOR' },
      });
    }
  });

  it.each(['mac=02%00', 'ip=10.0.0.1%00', 'ip=10.0.0.1&network=n%00'])(
    'refuses a NUL in the address filter %s with a 400 and a code',
    async (query) => {
      const answer = await get(`/api/pools/alpha/addresses?${query}`);
      expect(answer).toMatchObject({ status: 400, body: { code: expect.any(String) } });
    },
  );

  it('is still serving after all of them', async () => {
    expect((await get('/api/pools?limit=1')).status).toBe(200);
  });
});
