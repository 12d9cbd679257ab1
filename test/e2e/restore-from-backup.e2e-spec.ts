/**
 * The README's restore runbook, followed on a real physical backup: a pool runs on a PostgreSQL
 * cluster of the test's own; a pg_basebackup is taken while it runs; more commands are
 * acknowledged; the cluster is stopped and the backup started in its place. The log is now
 * behind what the relay published. `pool-master recover-from-stream` (a dry run, then --apply)
 * appends the tail back from the events stream, and the master starts on a log whose head is
 * the one before the restore: nothing acknowledged is lost, a retried command gets its stored
 * result, and the member host that followed all along never finds the log behind it.
 * Without the recovery (the second test), the host ahead of the restored log says so and
 * resynchronises from the master's snapshot (as after a database made anew:
 * member-host-log-behind.e2e-spec.ts), and the recovery, run too late, refuses.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { jetstreamManager } from '@nats-io/jetstream';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMigrations } from '../../migrations/data-source.js';
import { PostgresCluster } from '../faults/support/postgres-cluster.js';
import { natsUrl } from '../support/services.js';
import { mainOf } from '../support/processes.js';
import { startPool, until, type MemberHost, type TestPool } from './support/member-host-pool.js';

const run = promisify(execFile);
const pool = `restore-${randomUUID().slice(0, 8)}`;
let cluster: PostgresCluster;
let backup: PostgresCluster | undefined;
let p: TestPool;
let h1: MemberHost;

beforeAll(async () => {
  cluster = await PostgresCluster.start(['-c wal_level=replica']);
  await runMigrations(cluster.url);
  p = await startPool(pool, {}, { databaseUrl: cluster.url });
  await p.ok('CreatePool', { poolId: pool, name: 'Restore' });
  h1 = await p.startHost('h1');
  await until(async () => (await h1.status()).member === true, 'h1 to join');
}, 180_000);

afterAll(async () => {
  await p?.close();
  await backup?.close();
  await cluster?.close();
});

/** The pool stream's event ids in the log, in version order. */
async function eventIds(): Promise<string[]> {
  const client = new pg.Client({ connectionString: cluster.url });
  await client.connect();
  try {
    const { rows } = await client.query<{ id: string }>(
      `SELECT event_id::text AS id FROM es_events WHERE stream_id = $1 ORDER BY stream_version`,
      [`pool:${pool}`],
    );
    return rows.map((r) => r.id);
  } finally {
    await client.end();
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the command's JSON, field by field
type Json = any;

async function recover(...args: string[]): Promise<{ code: number; out: Json }> {
  const main = mainOf('pool-master');
  const env = {
    PATH: process.env.PATH ?? '',
    LOG_LEVEL: 'warn',
    DATABASE_URL: cluster.url,
    NATS_URL: natsUrl(),
    SUBJECT_ROOT: p.nats.root,
    EVENTS_STREAM: p.nats.eventsStream,
    REPORTS_STREAM: p.nats.reportsStream,
  };
  const done = await run(process.execPath, [main, 'recover-from-stream', ...args], { env }).then(
    (r) => ({ code: 0, stdout: r.stdout }),
    (e: { code?: number; stdout?: string; stderr?: string }) => {
      if (!e.stdout) throw new Error(`recover-from-stream failed: ${String(e.stderr)}`);
      return { code: e.code ?? 1, stdout: e.stdout };
    },
  );
  return { code: done.code, out: JSON.parse(done.stdout) };
}

/** Messages of the pool's events subject in the stream. */
async function streamMessages(): Promise<number> {
  const jsm = await jetstreamManager(p.nats.nc);
  const subject = `${p.nats.root}.${pool}.events`;
  const info = await jsm.streams.info(p.nats.eventsStream, { subjects_filter: subject });
  return info.state.subjects?.[subject] ?? 0;
}

describe('restore from a physical backup', () => {
  it('recovers the tail from the events stream: no acknowledged command lost, no host behind', async () => {
    for (let i = 0; i < 4; i++) await p.ok('CreateVm', { vmId: `vm${i}`, name: `vm${i}` });
    await p.converged(h1);
    backup = await PostgresCluster.backupOf(cluster);
    const backupVersion = (await p.logState()).version;

    // Acknowledged after the backup: the tail the restore loses from the log.
    let lastCommand = '';
    for (let i = 4; i < 12; i++) {
      lastCommand = randomUUID();
      await p.ok('CreateVm', { vmId: `vm${i}`, name: `vm${i}` }, { commandId: lastCommand });
    }
    const before = await p.converged(h1);
    const idsBefore = await eventIds();
    expect(before.version).toBeGreaterThanOrEqual(backupVersion + 8);

    // The restore: masters stopped, the cluster stopped, the backup started in its place.
    await p.stopMaster();
    await cluster.down('fast');
    await backup.up();
    [cluster, backup] = [backup, cluster];
    expect((await p.logState()).version).toBe(backupVersion);

    const dry = await recover();
    expect(dry.code).toBe(0);
    expect(dry.out.mode).toBe('dry-run');
    expect(dry.out.pools).toContainEqual(
      expect.objectContaining({
        pool,
        logHead: backupVersion,
        streamHead: before.version,
        recoverable: before.version - backupVersion,
      }),
    );
    expect((await p.logState()).version).toBe(backupVersion); // a dry run writes nothing

    const applied = await recover('--apply');
    expect(applied.code).toBe(0);
    expect(applied.out.recovered).toBe(before.version - backupVersion);
    expect(await eventIds()).toEqual(idsBefore);
    // Run again, it has nothing left to do.
    expect((await recover('--apply')).out.recovered).toBe(0);

    const messagesBefore = await streamMessages();
    await p.startMaster();
    // A retry of an acknowledged command from the tail gets its stored result, not a new VM.
    const retried = await p.command(
      'CreateVm',
      { vmId: 'vm11', name: 'vm11' },
      {
        commandId: lastCommand,
      },
    );
    expect(retried).toMatchObject({ ok: true, result: { version: before.version } });
    const next = await p.ok('CreateVm', { vmId: 'after', name: 'after' });
    expect(next).toBe(before.version + 1);
    const now = await p.converged(h1);
    expect(now.version).toBe(before.version + 1);
    expect((await h1.status()).logBehind).toBeNull();
    const reports = await p.reports('h1');
    expect(reports.flatMap((r) => r.drift ?? []).map((d) => d.kind)).not.toContain('log-behind');
    // The relay republished the recovered events under their ids: JetStream dropped them as
    // duplicates (inside its window), so the stream gained only the new command's event.
    expect(await streamMessages()).toBe(messagesBefore + 1);
    console.log(
      `restore from backup: backup at version ${backupVersion}, log at ${before.version} before ` +
        `the restore; recovered ${applied.out.recovered} events from the stream ` +
        `(dry run ${dry.out.ms} ms, apply ${applied.out.ms} ms); host h1 never behind`,
    );
  });

  it('without the recovery, the host ahead finds the log behind and resynchronises', async () => {
    await backup?.close(); // the cluster the first restore replaced
    backup = await PostgresCluster.backupOf(cluster);
    const backupVersion = (await p.logState()).version;
    for (let i = 0; i < 3; i++) await p.ok('CreateVm', { vmId: `lost${i}`, name: `lost${i}` });
    const before = await p.converged(h1);

    await p.stopMaster();
    await cluster.down('fast');
    await backup.up();
    [cluster, backup] = [backup, cluster];
    // No recovery: the master starts on the older log and a command is written past the backup.
    await p.startMaster();
    await p.ok('CreateVm', { vmId: 'fresh', name: 'fresh' });

    await until(async () => (await h1.status()).logBehind !== null, 'h1 to find the log behind');
    expect((await h1.status()).logBehind).toMatchObject({ hostVersion: before.version });
    const now = await p.converged(h1);
    expect(now.version).toBe(backupVersion + 1);
    const reports = await p.reports('h1');
    expect(reports.flatMap((r) => r.drift ?? []).map((d) => d.kind)).toContain('log-behind');

    // The log now holds another event at the version the stream's tail starts with: too late.
    const late = await recover();
    expect(late.code).toBe(1);
    const refused = late.out.pools.find((r: Json) => r.pool === pool);
    expect(refused.refused).toMatch(/^diverged: /);
    expect(late.out.recoverable).toBe(0);
    console.log(
      `restore without recovery: host h1 at ${before.version}, log restored to ${backupVersion}; ` +
        `h1 reported log-behind and converged to ${now.version}; recovery refused: ${refused.refused}`,
    );
  });
});
