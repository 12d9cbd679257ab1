import pg from 'pg';
import { pgConnection } from './primary-hosts.js';

/** The channel appends NOTIFY after they commit (PostgresEventStore's `notifyChannel`). */
export const LOG_NOTIFY_CHANNEL = 'es_events';

export interface LogWakeupsOptions {
  databaseUrl: string;
  /** Shown in `pg_stat_activity`. */
  applicationName: string;
  /** Called for every NOTIFY: something was appended (coalesced: one NOTIFY may cover many). */
  onAppend: () => void;
  /** The listening connection failed; nothing wakes the reader any more (it should poll). */
  onError: (error: Error) => void;
  channel?: string;
}

export interface LogWakeups {
  close(): Promise<void>;
}

/**
 * A dedicated connection LISTENing for appends, so a follower of the log (the relay, the
 * projector, the migration coordinator) wakes at once instead of at its next poll. A LISTEN
 * needs its own session (a pooled connection would hand it around), and a lost one is only
 * reported: followers poll as well, so a lost NOTIFY costs latency, never an event.
 */
export async function listenForAppends(options: LogWakeupsOptions): Promise<LogWakeups> {
  const client = new pg.Client({
    ...pgConnection(options.databaseUrl),
    application_name: options.applicationName,
  });
  client.on('notification', options.onAppend);
  client.on('error', options.onError);
  try {
    await client.connect();
    await client.query(`LISTEN ${pg.escapeIdentifier(options.channel ?? LOG_NOTIFY_CHANNEL)}`);
  } catch (error) {
    await client.end().catch(() => undefined);
    throw error;
  }
  return { close: () => client.end().catch(() => undefined) };
}
