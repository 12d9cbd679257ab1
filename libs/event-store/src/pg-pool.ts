import pg from 'pg';

// int8 and xid8 stay strings (never Number): positions may pass 2^53 and xids are 64-bit.
export interface EventStorePoolOptions {
  connectionString: string;
  max?: number;
  /** Bounds how long an append can hold the xmin fence and stall every reader. */
  statementTimeoutMs?: number;
  applicationName?: string;
  /** Told when an idle connection dies (a PostgreSQL restart, a terminated backend). */
  onIdleError?: (error: Error) => void;
}

/**
 * The log's own pool. Every session defaults to REPEATABLE READ, so a single-statement append
 * is one round trip and still cannot append after a newer version with an older xid
 * (eventsourcing-anchors §b.2).
 */
export function createEventStorePool(options: EventStorePoolOptions): pg.Pool {
  const timeout = options.statementTimeoutMs ?? 10_000;
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.max ?? 8,
    application_name: options.applicationName ?? 'poolnet-event-store',
    options: [
      '-c default_transaction_isolation=repeatable\\ read',
      `-c statement_timeout=${timeout}`,
      `-c idle_in_transaction_session_timeout=${timeout}`,
    ].join(' '),
  });
  // An idle connection that dies is an 'error' on the pool, and an EventEmitter error without
  // a listener ends the process. The pool has already dropped that connection and opens a new
  // one on demand, so a restarted PostgreSQL costs only the queries in flight, which fail.
  pool.on('error', (error) => options.onIdleError?.(error));
  return pool;
}
