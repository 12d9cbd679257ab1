/**
 * A member host whose pool's log is another one (the master's database made anew, its log
 * grown past the host's version while the host was away, the events stream kept): by versions
 * alone the new log's events look like news, and the host used to fold them on top of the old
 * log's state. The log's identity, stamped by the relay on every message and carried by the
 * snapshot, tells it: the host says so (warning, `/status` otherLog, failing health, an
 * `other-log` drift item in its report), resynchronises from the master's snapshot whatever the
 * versions, joins the new log's pool and converges to it.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMigrations } from '../../migrations/data-source.js';
import { adminDatabaseUrl } from '../support/services.js';
import { startPool, until, type MemberHost, type TestPool } from './support/member-host-pool.js';

const pool = `otherlog-${randomUUID().slice(0, 8)}`;
let p: TestPool;
let h1: MemberHost;

beforeAll(async () => {
  p = await startPool(pool);
  await p.ok('CreatePool', { poolId: pool, name: 'Old log' });
  h1 = await p.startHost('h1');
  await until(async () => (await h1.status()).member === true, 'h1 to join');
});

afterAll(() => p?.close());

/**
 * Drops the master's database and makes it anew with the migrations, as an operator would (not
 * from the test template, whose copies share one log identity like restores of one backup).
 */
async function makeDatabaseAnew(): Promise<void> {
  const name = new URL(p.db.url).pathname.slice(1);
  const admin = new pg.Client({ connectionString: adminDatabaseUrl() });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE ${name} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  await runMigrations(p.db.url);
}

describe('a member host whose log was made anew and grew past it', () => {
  it('reports another log, turns unhealthy, resynchronises from the snapshot and converges to the new log', async () => {
    for (let i = 0; i < 3; i++) await p.ok('CreateVm', { vmId: `old${i}`, name: `old${i}` });
    const old = await p.converged(h1);
    const oldLogId = (await h1.status()).logId;
    expect(oldLogId).toMatch(/^[0-9a-f-]{36}$/);

    // While the host is away, the new log gets more versions than the host holds.
    await h1.stop();
    await p.stopMaster();
    await makeDatabaseAnew();
    await p.startMaster();
    await p.ok('CreatePool', { poolId: pool, name: 'New log' });
    for (let i = 0; i <= old.version; i++) {
      await p.ok('CreateVm', { vmId: `new${i}`, name: `new${i}` });
    }
    expect((await p.logState()).version).toBeGreaterThan(old.version);

    h1 = await p.startHost('h1', {}, { healthy: false });
    await until(async () => (await h1.status()).otherLog !== null, 'h1 to find another log');
    const status = await h1.status();
    expect(status.otherLog).toMatchObject({ hostLogId: oldLogId, hostVersion: old.version });
    expect(status.otherLog.logId).not.toBe(oldLogId);
    expect(status.otherLog.logVersion).toBeGreaterThan(old.version);
    expect(status.logId).toBe(status.otherLog.logId);
    expect(status.logBehind).toBeNull();
    const health = await fetch(`${h1.base}/health`);
    expect(health.status).toBe(503);
    expect(JSON.stringify(await health.json())).toContain("the pool's log was another one");
    expect(h1.running.output()).toMatch(/Decision: discard this host's state/);

    // It joins the new log's pool and converges to the master's state: version and digest.
    await until(async () => (await h1.status()).member === true, 'h1 to join the new log');
    await p.ok('CreateVm', { vmId: 'after', name: 'after' });
    const now = await p.converged(h1);
    expect((await h1.status()).applied).toEqual(now);
    const reports = await p.reports('h1');
    expect(reports.flatMap((r) => r.drift ?? []).map((d) => d.kind)).toContain('other-log');
  });
});
