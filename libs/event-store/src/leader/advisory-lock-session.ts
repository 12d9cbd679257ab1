import pg from 'pg';
import { pgConnection } from '../primary-hosts.js';

export interface LockSessionOptions {
  connectionString: string;
  applicationName?: string;
  /** How often the session is checked to be alive. */
  heartbeatMs?: number;
  /** Called once when the session dies: every lock it held is gone. */
  onLost?: (error: unknown) => void;
}

/**
 * Many session advisory locks on one dedicated connection (one per pool led, one for the relay):
 * a replica leading a thousand pools still holds one connection. The locks live exactly as long
 * as the session; when it dies, `onLost` fires and the holder must stop acting as leader.
 *
 * Every query on the connection (lock, unlock, heartbeat) waits for the one before it: a
 * pg.Client given a second query while one runs queues it itself, which node-postgres
 * deprecates (`client.query() when the client is already executing a query`), and a second
 * `pg_try_advisory_lock` of a name already being locked would take the lock twice (session
 * locks stack, and one unlock would then leave it held).
 */
export class AdvisoryLockSession {
  private client: pg.Client | undefined;
  private readonly held = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private lost = false;
  /** The tail of the queue of queries on the connection. */
  private tail: Promise<unknown> = Promise.resolve();
  private heartbeatQueued = false;

  constructor(private readonly options: LockSessionOptions) {}

  async open(): Promise<void> {
    const client = new pg.Client({
      ...pgConnection(this.options.connectionString),
      application_name: this.options.applicationName ?? 'poolnet-locks',
      keepAlive: true,
    });
    client.on('error', (error) => this.markLost(error));
    await client.connect();
    this.client = client;
    const heartbeat = this.options.heartbeatMs ?? 1000;
    this.timer = setInterval(() => {
      // One heartbeat at a time: a slow server must not pile them up behind the locks.
      if (this.heartbeatQueued) return;
      this.heartbeatQueued = true;
      this.serially(() => client.query('SELECT 1'))
        .catch((error: unknown) => this.markLost(error))
        .finally(() => (this.heartbeatQueued = false));
    }, heartbeat);
    this.timer.unref();
  }

  get alive(): boolean {
    return this.client !== undefined && !this.lost;
  }

  holds(name: string): boolean {
    return this.alive && this.held.has(name);
  }

  tryLock(name: string): Promise<boolean> {
    return this.serially(async () => {
      // Asked again once the queue reaches it: a lock taken meanwhile is not taken twice.
      if (!this.alive) return false;
      if (this.held.has(name)) return true;
      const { rows } = await this.client!.query<{ ok: boolean }>(
        'SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS ok',
        [name],
      );
      if (rows[0]?.ok) this.held.add(name);
      return rows[0]?.ok === true;
    });
  }

  unlock(name: string): Promise<void> {
    return this.serially(async () => {
      if (!this.held.delete(name) || !this.alive) return;
      await this.client!.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [name]);
    });
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    this.held.clear();
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  /** Runs `query` once every query queued before it has settled, whatever their outcome. */
  private serially<T>(query: () => Promise<T>): Promise<T> {
    const run = this.tail.then(query, query);
    this.tail = run.catch(() => undefined);
    return run;
  }

  private markLost(error: unknown): void {
    if (this.lost) return;
    this.lost = true;
    this.held.clear();
    clearInterval(this.timer);
    this.options.onLost?.(error);
  }
}
