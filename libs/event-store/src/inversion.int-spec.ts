import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOG_START } from '@pool/event-store';
import { createTestEventStore } from '../../../test/support/event-store.js';

/**
 * The per-stream inversion (eventsourcing-anchors §3.2): writer B takes an xid early by writing
 * elsewhere, A appends v2 and commits, then B appends to the same stream. Under READ COMMITTED
 * B sees v2 and writes v3 with the OLDER xid, so the commit-order feed reads 1, 3, 2. Our
 * append runs at REPEATABLE READ: B fails with 40001, retries with a new xid, feed 1, 2, 3.
 */
let env: Awaited<ReturnType<typeof createTestEventStore>>;
beforeAll(async () => {
  env = await createTestEventStore();
  await env.pool.query('CREATE TABLE inversion_probe (note text)');
});
afterAll(() => env.close());

const feedVersions = async (streamId: string) =>
  (await env.store.readAll(LOG_START, 100_000))
    .filter((e) => e.streamId === streamId)
    .map((e) => e.streamVersion);

const request = (streamId: string) =>
  JSON.stringify([
    {
      streamId,
      streamType: 'pool',
      expected: 'any',
      events: [{ eventId: randomUUID(), type: 'Probed', data: {} }],
      commands: [],
    },
  ]);

describe('per-stream inversion', () => {
  it('a READ COMMITTED writer would invert the feed (the hazard is real)', async () => {
    const s = `pool:${randomUUID()}`;
    await env.store.append(s, [{ type: 'Probed', data: {} }]);
    const b = new pg.Client({ connectionString: env.url });
    await b.connect();
    try {
      await b.query('BEGIN ISOLATION LEVEL READ COMMITTED');
      await b.query(`INSERT INTO inversion_probe VALUES ('b writes first')`);
      await env.store.append(s, [{ type: 'Probed', data: {} }]); // A: v2, commits
      await b.query('SELECT es_append($1::jsonb)', [request(s)]); // B: v3, older xid
      await b.query('COMMIT');
    } finally {
      await b.end();
    }
    expect(await feedVersions(s)).toEqual([1, 3, 2]);
  });

  it('our REPEATABLE READ append keeps the feed in version order', async () => {
    const s = `pool:${randomUUID()}`;
    await env.store.append(s, [{ type: 'Probed', data: {} }]);
    let attempts = 0;
    await env.store.withTransaction(async (tx) => {
      attempts++;
      await tx.client.query(`INSERT INTO inversion_probe VALUES ('b writes first')`);
      if (attempts === 1) await env.store.append(s, [{ type: 'Probed', data: {} }]); // A
      await tx.append({ streamId: s, events: [{ type: 'Probed', data: {} }] }); // B
    });
    expect(attempts).toBe(2); // B's first attempt failed with 40001 and was retried
    expect(await feedVersions(s)).toEqual([1, 2, 3]);
  });
});
