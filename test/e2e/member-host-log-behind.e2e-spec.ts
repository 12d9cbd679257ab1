/**
 * A member host whose pool's log is recreated behind it (the master's database dropped and made
 * anew, the events stream kept): the host finds its state ahead of the log, says so (warning,
 * `/status` logBehind, failing health, a `log-behind` drift item in its report), resynchronises
 * from the master's snapshot, joins the new log's pool again and converges to it. It used to
 * stay "following" at its old version and skip the new log's events as duplicates.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminDatabaseUrl, templateDatabase } from '../support/services.js';
import { startPool, until, type MemberHost, type TestPool } from './support/member-host-pool.js';

const pool = `behind-${randomUUID().slice(0, 8)}`;
let p: TestPool;
let h1: MemberHost;

beforeAll(async () => {
  p = await startPool(pool);
  await p.ok('CreatePool', { poolId: pool, name: 'Log behind' });
  h1 = await p.startHost('h1');
  await until(async () => (await h1.status()).member === true, 'h1 to join');
});

afterAll(() => p?.close());

/**
 * Drops the master's database and makes it anew from the migrated template: a copy keeps the
 * template's log identity, as a restored backup does, so this is the same log, behind (another
 * log is member-host-other-log.e2e-spec.ts).
 */
async function recreateDatabase(): Promise<void> {
  const name = new URL(p.db.url).pathname.slice(1);
  const admin = new pg.Client({ connectionString: adminDatabaseUrl() });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE ${name} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${name} TEMPLATE ${templateDatabase()}`);
  } finally {
    await admin.end();
  }
}

describe('a member host ahead of its log', () => {
  it('reports it, turns unhealthy, resynchronises from the snapshot and follows the new log', async () => {
    for (let i = 0; i < 8; i++) await p.ok('CreateVm', { vmId: `vm${i}`, name: `vm${i}` });
    const old = await p.converged(h1);
    expect(old.version).toBeGreaterThanOrEqual(10);

    await p.stopMaster();
    await recreateDatabase();
    await p.startMaster();
    await p.ok('CreatePool', { poolId: pool, name: 'Log behind, recreated' });

    await until(async () => (await h1.status()).logBehind !== null, 'h1 to find the log behind');
    const status = await h1.status();
    expect(status.logBehind).toMatchObject({ hostVersion: old.version });
    expect(status.logBehind.logVersion).toBeLessThan(old.version);
    const health = await fetch(`${h1.base}/health`);
    expect(health.status).toBe(503);
    expect(JSON.stringify(await health.json())).toContain("the pool's log was at version");

    // It joins the new log's pool again and converges to it, then follows what comes next.
    await until(async () => (await h1.status()).member === true, 'h1 to join again');
    await p.ok('CreateVm', { vmId: 'after', name: 'after' });
    const now = await p.converged(h1);
    expect(now.version).toBeLessThan(old.version);
    const reports = await p.reports('h1');
    expect(reports.flatMap((r) => r.drift ?? []).map((d) => d.kind)).toContain('log-behind');
  });
});
