import pg from 'pg';
import { pgConnection } from '../primary-hosts.js';

export interface LeaderOptions {
  connectionString: string;
  /** Any string; hashed to the 64-bit advisory lock key. */
  lockName: string;
  /** How often a follower retries the lock and a leader checks its session is alive. */
  intervalMs?: number;
  onError?: (error: unknown) => void;
}

/**
 * Leadership through a PostgreSQL session advisory lock, held on a connection of its own: the
 * lock lives exactly as long as that session. A leader that loses its session (network,
 * server restart) is told through the abort signal; fencing of writes is still the log's
 * expected-version check, since a partitioned leader may learn late.
 */
export class AdvisoryLeader {
  private client: pg.Client | undefined;
  private stopped = false;
  private leading: AbortController | undefined;
  private wake: (() => void) | undefined;

  constructor(private readonly options: LeaderOptions) {}

  get isLeader(): boolean {
    return this.leading !== undefined && !this.leading.signal.aborted;
  }

  /** Campaigns until `stop()`; runs `lead` each time leadership is won, aborting it when lost. */
  async run(lead: (signal: AbortSignal) => Promise<void>): Promise<void> {
    const interval = this.options.intervalMs ?? 1000;
    while (!this.stopped) {
      try {
        if (await this.tryAcquire()) {
          const controller = new AbortController();
          this.leading = controller;
          const work = lead(controller.signal).catch((error: unknown) => {
            this.options.onError?.(error);
            controller.abort();
          });
          while (!controller.signal.aborted && !this.stopped) {
            await this.sleep(interval);
            if (!(await this.stillHeld())) controller.abort();
          }
          controller.abort();
          await work;
          await this.release();
        }
      } catch (error) {
        this.options.onError?.(error);
        await this.release();
      }
      if (!this.stopped) await this.sleep(interval);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.leading?.abort();
    this.wake?.();
    await this.release();
  }

  private async tryAcquire(): Promise<boolean> {
    if (!this.client) {
      const client = new pg.Client({
        ...pgConnection(this.options.connectionString),
        application_name: `poolnet-leader:${this.options.lockName}`,
      });
      client.on('error', (error) => {
        this.options.onError?.(error);
        this.leading?.abort();
      });
      this.client = client;
      await client.connect();
    }
    const { rows } = await this.client.query<{ ok: boolean }>(
      'SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS ok',
      [this.options.lockName],
    );
    return rows[0]?.ok === true;
  }

  private async stillHeld(): Promise<boolean> {
    try {
      await this.client?.query('SELECT 1');
      return this.client !== undefined;
    } catch {
      return false;
    }
  }

  private async release(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    this.leading = undefined;
    // Closing the session releases the lock; an explicit unlock would need a live session anyway.
    await client?.end().catch(() => undefined);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
