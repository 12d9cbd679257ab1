/** PostgreSQL errors after which re-running the whole transaction gives the right answer. */
const RETRYABLE_CONSTRAINTS = new Set(['es_streams_pkey', 'es_events_pkey', 'es_commands_pkey']);

interface PgError {
  code?: string;
  constraint?: string;
}

export function isRetryable(error: unknown): boolean {
  const e = error as PgError;
  if (e?.code === '40001' || e?.code === '40P01') return true;
  return e?.code === '23505' && RETRYABLE_CONSTRAINTS.has(e.constraint ?? '');
}

export const isDuplicateEventId = (error: unknown): boolean =>
  (error as PgError)?.code === '23505' && (error as PgError).constraint === 'es_events_event_id';

/** Jittered backoff so retrying writers do not collide again in lockstep. */
export const backoff = (attempt: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(50, 2 ** attempt)));
