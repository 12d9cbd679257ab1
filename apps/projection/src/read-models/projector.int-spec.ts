import { createEventStorePool, PostgresEventStore } from '@pool/event-store';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../../../test/support/databases.js';
import { Projector } from './projector.js';
import {
  CheckpointMovedError,
  loadReadModelCheckpoint,
  truncateLogTables,
} from './read-model-store.js';
import { LOG_TABLE_NAMES, LOG_TABLES } from './read-model-tables.js';
import { ScriptedPool, scriptFullPool } from './testing/scripted-pool.js';
import { verifyReadModels } from './verify-read-models.js';

interface Env {
  url: string;
  pool: pg.Pool;
  store: PostgresEventStore;
  drop: () => Promise<void>;
}

async function environment(): Promise<Env> {
  const database = await createTestDatabase();
  const pool = createEventStorePool({ connectionString: database.url, max: 6 });
  return { url: database.url, pool, store: new PostgresEventStore(pool), drop: database.drop };
}

const projector = (env: Env, batchSize = 1000, db: pg.Pool = env.pool) =>
  new Projector({ store: env.store, db, batchSize });

/** Every log-derived table's rows, sorted, for comparing two projections. */
async function dump(pool: pg.Pool): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const name of LOG_TABLE_NAMES) {
    const { table } = LOG_TABLES[name];
    const { rows } = await pool.query(`SELECT * FROM ${table}`);
    out[table] = rows.map((r) => JSON.stringify(r)).sort();
  }
  return out;
}

async function scriptPools(env: Env, ids: string[]): Promise<ScriptedPool[]> {
  const pools = ids.map((id) => new ScriptedPool(id));
  for (const pool of pools) {
    scriptFullPool(pool);
    await pool.flush(env.store);
  }
  return pools;
}

const count = async (pool: pg.Pool, sql: string, params: unknown[] = []) =>
  Number((await pool.query<{ n: string }>(sql, params)).rows[0]!.n);

describe('projector', () => {
  let env: Env;
  beforeAll(async () => {
    env = await environment();
  });
  afterAll(async () => {
    await env.pool.end();
    await env.drop();
  });

  it('folds scripted pools into every table and verify says equal', async () => {
    await scriptPools(env, ['alpha', 'beta']);
    const p = projector(env, 7);
    const folded = await p.catchUp();
    const events = await count(env.pool, 'SELECT count(*) AS n FROM es_events');
    expect(folded).toBe(events);
    for (const name of LOG_TABLE_NAMES) {
      const rows = await count(env.pool, `SELECT count(*) AS n FROM ${LOG_TABLES[name].table}`);
      expect(rows, `${name} has rows`).toBeGreaterThan(0);
    }
    const { rows: pools } = await env.pool.query(
      `SELECT pool_id, name, version::int, hosts, migrations_active FROM rm_pools ORDER BY pool_id`,
    );
    expect(pools).toEqual([
      {
        pool_id: 'alpha',
        name: 'renamed alpha',
        version: events / 2,
        hosts: 3,
        migrations_active: 1,
      },
      {
        pool_id: 'beta',
        name: 'renamed beta',
        version: events / 2,
        hosts: 3,
        migrations_active: 1,
      },
    ]);
    const { rows: moved } = await env.pool.query(
      `SELECT host_id, ip FROM rm_addresses WHERE pool_id = 'alpha' AND vif_id = 'vif3'`,
    );
    expect(moved).toEqual([{ host_id: 'h3', ip: '192.168.0.3' }]);
    expect(await count(env.pool, `SELECT count(*) AS n FROM rm_vms WHERE id = 'vm4'`)).toBe(0);

    const result = await verifyReadModels(env.pool);
    expect(result.differences).toEqual([]);
    expect(result).toMatchObject({ equal: true, events, behind: 0 });
    const checkpoint = await loadReadModelCheckpoint(env.pool);
    expect(checkpoint.events).toBe(events);
  });

  it('verify finds a changed, a missing and an unexpected row, and a projection behind', async () => {
    await env.pool.query(
      `UPDATE rm_vifs SET mac = '02:00:00:00:00:99' WHERE pool_id = 'alpha' AND id = 'vif1'`,
    );
    await env.pool.query(`DELETE FROM rm_acl_rules WHERE pool_id = 'beta' AND id = 'acl1'`);
    await env.pool.query(
      `INSERT INTO rm_networks VALUES ('beta', 'ghost', 'ghost', 'private', 'vm', NULL, NULL, 1500)`,
    );
    const broken = await verifyReadModels(env.pool, { catchUpTimeoutMs: 0 });
    expect(broken.equal).toBe(false);
    expect(broken.differences.map((d) => [d.table, d.key, d.problem]).sort()).toEqual([
      ['rm_acl_rules', 'beta/acl1', 'missing'],
      ['rm_networks', 'beta/ghost', 'unexpected'],
      ['rm_vifs', 'alpha/vif1', 'changed'],
    ]);

    const extra = new ScriptedPool('gamma');
    extra.run('CreatePool', { poolId: 'gamma', name: 'gamma' });
    await extra.flush(env.store);
    const behind = await verifyReadModels(env.pool, { catchUpTimeoutMs: 0 });
    expect(behind.behind).toBe(1);
    expect(behind.differences.map((d) => d.problem)).toContain('behind');
  });

  it('a rebuild from zero writes the same rows as the incremental projection', async () => {
    // Undo the tampering through a rebuild, then compare incremental against rebuilt.
    await truncateLogTables(env.pool);
    await projector(env, 3).catchUp();
    const incremental = await dump(env.pool);
    expect((await verifyReadModels(env.pool)).equal).toBe(true);

    await truncateLogTables(env.pool);
    expect(await count(env.pool, 'SELECT count(*) AS n FROM rm_vifs')).toBe(0);
    await projector(env, 100_000).catchUp();
    expect(await dump(env.pool)).toEqual(incremental);
    expect((await verifyReadModels(env.pool)).equal).toBe(true);
  });
});

describe('projector crash and restart', () => {
  let env: Env;
  beforeAll(async () => {
    env = await environment();
  });
  afterAll(async () => {
    await env.pool.end();
    await env.drop();
  });

  it('stops between batches and a new projector finishes with no duplicate effects', async () => {
    const [pool] = await scriptPools(env, ['crash']);
    const first = projector(env, 5);
    let folded = 0;
    for (let batches = 0; batches < 4;) {
      const events = await first.step(); // 0 while the xmin fence holds a commit back
      if (events > 0) batches++;
      folded += events;
      expect(events).toBeLessThanOrEqual(5);
    }
    expect((await loadReadModelCheckpoint(env.pool)).events).toBe(folded);

    // A batch whose statement (rows, checkpoint, notify) dies before it commits.
    const failing = failOnce(env.pool, 'WITH cas');
    const dying = projector(env, 5, failing);
    await expect(dying.catchUp()).rejects.toThrow('connection lost');
    expect((await loadReadModelCheckpoint(env.pool)).events).toBe(folded);

    // More events arrive while no projector runs, then a fresh one replays and continues.
    pool!.run('RenameVm', { vmId: 'vm1', name: 'after the crash' });
    pool!.run('ActivateMigration', { migrationId: 'mig3' });
    pool!.run('CompleteMigration', { migrationId: 'mig3' });
    await pool!.flush(env.store);
    const second = projector(env, 5);
    await second.catchUp();
    const events = await count(env.pool, 'SELECT count(*) AS n FROM es_events');
    expect((await loadReadModelCheckpoint(env.pool)).events).toBe(events);
    const result = await verifyReadModels(env.pool);
    expect(result.differences).toEqual([]);
    expect(result.equal).toBe(true);
    const { rows } = await env.pool.query(
      `SELECT status, completed_version::int FROM rm_migrations WHERE id = 'mig3'`,
    );
    expect(rows).toEqual([{ status: 'completed', completed_version: events }]);
  });

  it('refuses a batch from a second projector once the first moved the checkpoint', async () => {
    await projector(env).catchUp();
    const pool = new ScriptedPool('fenced');
    pool.run('CreatePool', { poolId: 'fenced', name: 'fenced' });
    await pool.flush(env.store);
    const a = projector(env);
    const b = projector(env);
    await a.start();
    await b.start();
    expect(await a.catchUp()).toBe(1);
    await expect(b.catchUp()).rejects.toBeInstanceOf(CheckpointMovedError);
    expect((await verifyReadModels(env.pool)).equal).toBe(true);
  });
});

/** The pool, except that the first query starting with `prefix` fails as a dropped connection. */
function failOnce(pool: pg.Pool, prefix: string): pg.Pool {
  let failed = false;
  const query = (sql: unknown, ...rest: unknown[]): Promise<unknown> => {
    if (!failed && typeof sql === 'string' && sql.trim().startsWith(prefix)) {
      failed = true;
      return Promise.reject(new Error('connection lost'));
    }
    return (pool.query as (...args: unknown[]) => Promise<unknown>)(sql, ...rest);
  };
  return new Proxy(pool, {
    get(target, key) {
      if (key === 'query') return query;
      const value = Reflect.get(target, key) as unknown;
      // Bound to the real pool: pool.query calls this.connect with a callback.
      return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
    },
  });
}
