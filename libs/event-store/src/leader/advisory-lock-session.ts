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
 */
export class AdvisoryLockSession {
  private client: pg.Client | undefined;
  private readonly held = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private lost = false;

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
      client.query('SELECT 1').catch((error: unknown) => this.markLost(error));
    }, heartbeat);
    this.timer.unref();
  }

  get alive(): boolean {
    return this.client !== undefined && !this.lost;
  }

  holds(name: string): boolean {
    return this.alive && this.held.has(name);
  }

  async tryLock(name: string): Promise<boolean> {
    if (!this.alive) return false;
    if (this.held.has(name)) return true;
    const { rows } = await this.client!.query<{ ok: boolean }>(
      'SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS ok',
      [name],
    );
    if (rows[0]?.ok) this.held.add(name);
    return rows[0]?.ok === true;
  }

  async unlock(name: string): Promise<void> {
    if (!this.held.delete(name) || !this.alive) return;
    await this.client!.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [name]);
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    this.held.clear();
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private markLost(error: unknown): void {
    if (this.lost) return;
    this.lost = true;
    this.held.clear();
    clearInterval(this.timer);
    this.options.onLost?.(error);
  }
}
