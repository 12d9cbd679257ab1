import pg from 'pg';
import { pgConnection } from './primary-hosts.js';

// int8 and xid8 stay strings (never Number): positions may pass 2^53 and xids are 64-bit.
export interface EventStorePoolOptions {
  connectionString: string;
  max?: number;
  /** Bounds how long an append can hold the xmin fence and stall every reader. */
  statementTimeoutMs?: number;
  applicationName?: string;
  /** Told when a connection dies, idle or checked out (a PostgreSQL restart, a terminated backend). */
  onConnectionError?: (error: Error) => void;
}

/**
 * The log's own pool. Every session defaults to REPEATABLE READ, so a single-statement append
 * is one round trip and still cannot append after a newer version with an older xid
 * (eventsourcing-anchors §b.2).
 */
export function createEventStorePool(options: EventStorePoolOptions): pg.Pool {
  const timeout = options.statementTimeoutMs ?? 10_000;
  const pool = new pg.Pool({
    ...pgConnection(options.connectionString),
    max: options.max ?? 8,
    application_name: options.applicationName ?? 'poolnet-event-store',
    options: [
      '-c default_transaction_isolation=repeatable\\ read',
      `-c statement_timeout=${timeout}`,
      `-c idle_in_transaction_session_timeout=${timeout}`,
    ].join(' '),
  });
  survivePostgresRestarts(pool, (error) => options.onConnectionError?.(error));
  return pool;
}

/**
 * Keeps a dying connection from ending the process. A connection that dies (PostgreSQL
 * restarted or crashed, a backend terminated) emits 'error' on its `pg.Client`, and an
 * EventEmitter error without a listener is thrown. pg-pool listens only while a client is idle
 * (and re-emits on the pool); a client checked out with `pool.connect()` has no listener at all,
 * so a crash during a transaction would kill the process instead of failing its queries. Every
 * client the pool opens gets a listener for its whole life: the queries in flight still reject,
 * the caller releases the client, and the pool opens a new connection on demand.
 */
export function survivePostgresRestarts(pool: pg.Pool, onError: (error: Error) => void): void {
  // Idle clients' errors are re-emitted here too: the client's own listener has reported them.
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', onError));
}
