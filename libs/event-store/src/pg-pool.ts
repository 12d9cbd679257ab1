import pg from 'pg';

// int8 and xid8 stay strings (never Number): positions may pass 2^53 and xids are 64-bit.
export interface EventStorePoolOptions {
  connectionString: string;
  max?: number;
  /** Bounds how long an append can hold the xmin fence and stall every reader. */
  statementTimeoutMs?: number;
  applicationName?: string;
}

/**
 * The log's own pool. Every session defaults to REPEATABLE READ, so a single-statement append
 * is one round trip and still cannot append after a newer version with an older xid
 * (eventsourcing-anchors §b.2).
 */
export function createEventStorePool(options: EventStorePoolOptions): pg.Pool {
  const timeout = options.statementTimeoutMs ?? 10_000;
  return new pg.Pool({
    connectionString: options.connectionString,
    max: options.max ?? 8,
    application_name: options.applicationName ?? 'poolnet-event-store',
    options: [
      '-c default_transaction_isolation=repeatable\\ read',
      `-c statement_timeout=${timeout}`,
      `-c idle_in_transaction_session_timeout=${timeout}`,
    ].join(' '),
  });
}
