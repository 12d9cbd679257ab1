/**
 * What the migration suites add to a test pool (member-host-pool.ts): the projection process,
 * whose coordinator drives migrations, the master's REST migrate call, and the saga's events
 * read back from the log.
 */
import pg from 'pg';
import {
  exitCodeWithin,
  freePort,
  start,
  waitForHealthy,
  type Running,
} from '../../support/processes.js';
import { natsUrl } from '../../support/services.js';
import { until, type TestPool } from './member-host-pool.js';

export interface ProjectionProcess {
  base: string;
  running: Running;
  kill(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts the built projection (and so the migration coordinator) on the pool's DB and NATS. */
export async function startProjection(
  p: TestPool,
  env: Record<string, string> = {},
): Promise<ProjectionProcess> {
  const port = await freePort();
  const running = start('projection', {
    DATABASE_URL: p.db.url,
    NATS_URL: natsUrl(),
    SUBJECT_ROOT: p.nats.root,
    EVENTS_STREAM: p.nats.eventsStream,
    REPORTS_STREAM: p.nats.reportsStream,
    PORT: String(port),
    HOST: '127.0.0.1',
    ...env,
  });
  const base = `http://127.0.0.1:${port}`;
  await waitForHealthy(base, running, 60_000);
  return {
    base,
    running,
    kill: async () => {
      running.child.kill('SIGKILL');
      await exitCodeWithin(running, 10_000);
    },
    stop: async () => {
      running.child.kill('SIGTERM');
      await exitCodeWithin(running, 10_000);
    },
  };
}

/** `POST /pools/:pool/vms/:vm/migrate` on the master's REST API. */
export async function migrate(
  p: TestPool,
  pool: string,
  vmId: string,
  toHostId: string,
): Promise<{ status: number; body: Record<string, unknown> & { code?: string } }> {
  const response = await fetch(`${p.masterBase()}/pools/${pool}/vms/${vmId}/migrate`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ toHostId }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** The migration id a successful migrate call returned. */
export function migrationIdOf(body: Record<string, unknown>): string {
  const events = body.events as { type: string; data: { migrationId?: string } }[] | undefined;
  const id = events?.find((e) => e.type === 'MigrationRequested')?.data.migrationId;
  if (!id) throw new Error(`no MigrationRequested in ${JSON.stringify(body)}`);
  return id;
}

export interface SagaEvent {
  type: string;
  version: number;
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
  createdAt: Date;
}

/** Every event of one migration, in log order. */
export async function sagaEvents(
  p: TestPool,
  pool: string,
  migrationId: string,
): Promise<SagaEvent[]> {
  const client = new pg.Client({ connectionString: p.db.url });
  await client.connect();
  try {
    const { rows } = await client.query<{
      type: string;
      version: string;
      data: Record<string, unknown>;
      metadata: Record<string, unknown>;
      created_at: Date;
    }>(
      `SELECT event_type AS type, stream_version AS version, data, metadata, created_at
         FROM es_events WHERE stream_id = $1 AND data->>'migrationId' = $2
        ORDER BY stream_version`,
      [`pool:${pool}`, migrationId],
    );
    return rows.map((r) => ({
      type: r.type,
      version: Number(r.version),
      data: r.data,
      metadata: r.metadata,
      createdAt: r.created_at,
    }));
  } finally {
    await client.end();
  }
}

/** Waits for a migration to reach `type` (for example MigrationCompleted) in the log. */
export async function waitForSaga(
  p: TestPool,
  pool: string,
  migrationId: string,
  type: string,
  timeoutMs = 30_000,
): Promise<SagaEvent[]> {
  let events: SagaEvent[] = [];
  const waiting = until(
    async () => {
      events = await sagaEvents(p, pool, migrationId);
      const ended = events.find(
        (e) => e.type === 'MigrationCompleted' || e.type === 'MigrationAborted',
      );
      if (ended && ended.type !== type && type !== 'MigrationPrepared') {
        throw new Error(`migration ${migrationId} ended with ${ended.type}, not ${type}`);
      }
      return events.some((e) => e.type === type);
    },
    `migration ${migrationId} to reach ${type}`,
    timeoutMs,
  );
  // A timeout says how far the saga got.
  await waiting.catch((error: unknown) => {
    throw new Error(`${String(error)}; saga so far: ${events.map((e) => e.type).join(' → ')}`);
  });
  return events;
}
