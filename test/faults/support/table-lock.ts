import pg from 'pg';
import { sleep } from './local-process.js';

/**
 * Freezes a writer at a chosen point: an EXCLUSIVE lock on a table, held in an open transaction
 * (which takes no xid, so it does not hold back the log's xmin fence), blocks every write to
 * it. The master's append (es_streams) or the relay's checkpoint (es_checkpoints) then waits
 * inside its transaction, and the harness can kill the process exactly there.
 */
export class TableLock {
  private constructor(private readonly client: pg.Client) {}

  static async take(url: string, table: string): Promise<TableLock> {
    const client = new pg.Client({ connectionString: url, application_name: 'fault-harness-lock' });
    client.on('error', () => undefined);
    await client.connect();
    await client.query('BEGIN');
    await client.query(`LOCK TABLE ${table} IN EXCLUSIVE MODE`);
    return new TableLock(client);
  }

  async release(): Promise<void> {
    await this.client.query('COMMIT').catch(() => undefined);
    await this.client.end().catch(() => undefined);
  }
}

/**
 * Waits until a backend of an application named `app…` waits on a lock while running a
 * statement that contains `statement`; returns its application_name (a master's is
 * `poolnet-master:<replica id>`) and its pid.
 */
export async function waitForBlockedBackend(
  sql: pg.Pool,
  statement: string,
  app = 'poolnet-master:',
  timeoutMs = 30_000,
): Promise<{ app: string; pid: number }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { rows } = await sql.query<{ app: string; pid: number }>(
      `SELECT application_name AS app, pid FROM pg_stat_activity
        WHERE wait_event_type = 'Lock' AND position($1 in query) > 0
          AND starts_with(application_name, $2)`,
      [statement, app],
    );
    if (rows[0]) return rows[0];
    if (Date.now() > deadline) throw new Error(`no ${app} backend blocked on "${statement}"`);
    await sleep(20);
  }
}

/** Ends a backend as a lost connection would (its open transaction rolls back). */
export async function terminateBackend(sql: pg.Pool, pid: number): Promise<void> {
  await sql.query('SELECT pg_terminate_backend($1)', [pid]);
}
