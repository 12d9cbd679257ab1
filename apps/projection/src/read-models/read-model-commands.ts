import {
  comparePositions,
  createEventStorePool,
  formatPosition,
  PostgresEventStore,
  readLogHead,
  pgConnection,
} from '@pool/event-store';
import pg from 'pg';
import { Projector } from './projector.js';
import { PROJECTOR_LOCK } from './projector.service.js';
import { loadReadModelCheckpoint, truncateLogTables } from './read-model-store.js';
import { verifyReadModels } from './verify-read-models.js';

/*
 * `node dist/apps/projection/src/main.js verify|rebuild`: one-shot commands on the read models,
 * printing one JSON document on stdout and returning the process exit code.
 */

const print = (value: unknown) => process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);

/** Compares the tables with a replay of the whole log: exit 0 when equal, 1 when not. */
export async function verifyCommand(databaseUrl: string): Promise<number> {
  const result = await verifyReadModels(databaseUrl, { catchUpTimeoutMs: 0 });
  print(result);
  return result.equal ? 0 : 1;
}

/**
 * Empties every log-derived table and its checkpoint, then refills them from the first event.
 * If a running projection replica holds the projector lock, that replica sees the reset and
 * rebuilds; this command then waits for it to reach the end of the log.
 */
export async function rebuildCommand(databaseUrl: string, batchSize: number): Promise<number> {
  const started = performance.now();
  const db = createEventStorePool({
    connectionString: databaseUrl,
    applicationName: 'poolnet-projection-rebuild',
    max: 3,
    statementTimeoutMs: 300_000,
  });
  const lock = new pg.Client({
    ...pgConnection(databaseUrl),
    application_name: 'poolnet-rebuild',
  });
  try {
    await lock.connect();
    const { rows } = await lock.query<{ ok: boolean }>(
      'SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS ok',
      [PROJECTOR_LOCK],
    );
    const ownLock = rows[0]?.ok === true;
    await inTransaction(db, (client) => truncateLogTables(client));
    let events = 0;
    if (ownLock) {
      const projector = new Projector({
        store: new PostgresEventStore(db, { notifyChannel: false }),
        db,
        batchSize,
      });
      events = await projector.catchUp();
    } else {
      events = await waitForRunningProjector(db, 30 * 60_000);
    }
    const checkpoint = await loadReadModelCheckpoint(db);
    print({
      rebuilt: true,
      by: ownLock ? 'this command' : 'the running projection replica',
      events: ownLock ? events : checkpoint.events,
      checkpoint: formatPosition(checkpoint.position),
      seconds: Math.round((performance.now() - started) / 10) / 100,
    });
    return 0;
  } finally {
    await lock.end().catch(() => undefined);
    await db.end();
  }
}

async function waitForRunningProjector(db: pg.Pool, timeoutMs: number): Promise<number> {
  const head = await readLogHead(db);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const stored = await loadReadModelCheckpoint(db);
    if (!head || comparePositions(stored.position, head) >= 0) return stored.events;
    if (Date.now() > deadline) throw new Error('the running projector did not finish the rebuild');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function inTransaction(db: pg.Pool, work: (client: pg.PoolClient) => Promise<void>) {
  const client = await db.connect();
  try {
    await client.query('BEGIN');
    await work(client);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
