import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { createTestDatabase } from '../../../test/support/databases.js';
import { createEventStorePool } from './pg-pool.js';

describe('the event store pool', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('survives its idle connections being terminated, and reconnects', async () => {
    const errors: Error[] = [];
    const pool = createEventStorePool({
      connectionString: db.url,
      applicationName: 'pool-kill-test',
      onConnectionError: (e) => errors.push(e),
    });
    try {
      await Promise.all([pool.query('SELECT 1'), pool.query('SELECT 1')]);
      expect(pool.idleCount).toBeGreaterThan(0);
      const admin = new pg.Client({ connectionString: db.url });
      await admin.connect();
      await admin.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'pool-kill-test'`,
      );
      await admin.end();
      // Each idle connection reports its end and leaves the pool: the termination (57P01), or
      // on a busy machine sometimes the socket closing first. Until every one has, the next
      // query may still be handed a connection whose end is on its way.
      await expect.poll(() => pool.idleCount, { timeout: 5_000 }).toBe(0);
      expect(errors.map((e) => (e as Error & { code?: string }).code)).toContain('57P01');
      const { rows } = await pool.query<{ one: number }>('SELECT 1 AS one');
      expect(rows[0]?.one).toBe(1);
    } finally {
      await pool.end();
    }
  });

  // Found by the fault suite: PostgreSQL crashing under a transaction killed the projection.
  it('survives a checked-out connection dying mid-transaction: its queries fail, the process lives', async () => {
    const errors: Error[] = [];
    const pool = createEventStorePool({
      connectionString: db.url,
      applicationName: 'pool-kill-checked-out',
      onConnectionError: (e) => errors.push(e),
    });
    try {
      const client = await pool.connect();
      await client.query('BEGIN');
      const admin = new pg.Client({ connectionString: db.url });
      await admin.connect();
      await admin.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'pool-kill-checked-out'`,
      );
      await admin.end();
      try {
        await expect.poll(() => errors.length, { timeout: 5_000 }).toBeGreaterThan(0);
        expect((errors[0] as Error & { code?: string }).code).toBe('57P01');
        await expect(client.query('SELECT 1')).rejects.toThrow(/not queryable/);
      } finally {
        client.release(true);
      }
      const { rows } = await pool.query<{ one: number }>('SELECT 1 AS one');
      expect(rows[0]?.one).toBe(1);
    } finally {
      await pool.end();
    }
  });
});
