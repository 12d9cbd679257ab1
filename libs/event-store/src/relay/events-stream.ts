import { type JetStreamManager, type StreamConfig } from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';

export interface EventsStreamOptions {
  name: string;
  subjects: string[];
  /** JetStream keeps a window; PostgreSQL keeps everything (DESIGN §3 retention). */
  maxAgeMs?: number;
  /** Longer than the worst relay outage we want the broker to dedupe (members dedupe anyway). */
  duplicateWindowMs?: number;
  /**
   * Copies JetStream keeps (1, 3 or 5; more than one needs a cluster of at least as many
   * servers). Raised or lowered in place on an existing stream: JetStream moves the copies.
   */
  replicas?: number;
}

/** The host reports stream: a day of reports, short dedupe (a report is resent within seconds). */
export const REPORTS_STREAM_RETENTION = { maxAgeMs: 24 * 3600_000, duplicateWindowMs: 60_000 };

/** Creates the stream, or updates it when its settings drifted; safe to call at every start. */
export async function ensureEventsStream(
  jsm: JetStreamManager,
  options: EventsStreamOptions,
): Promise<void> {
  const wanted: Partial<StreamConfig> = {
    subjects: options.subjects,
    max_age: nanos(options.maxAgeMs ?? 7 * 24 * 3600_000),
    duplicate_window: nanos(options.duplicateWindowMs ?? 20 * 60_000),
    num_replicas: options.replicas ?? 1,
  };
  const existing = await jsm.streams.info(options.name).catch((error: unknown) => {
    if ((error as { name?: string }).name === 'StreamNotFoundError') return undefined;
    throw error;
  });
  if (!existing) {
    await jsm.streams.add({
      name: options.name,
      ...wanted,
      storage: 'file',
      retention: 'limits',
      discard: 'old',
    });
    return;
  }
  const c = existing.config;
  const same =
    c.subjects?.join() === wanted.subjects?.join() &&
    c.max_age === wanted.max_age &&
    c.duplicate_window === wanted.duplicate_window &&
    c.num_replicas === wanted.num_replicas;
  if (!same) await jsm.streams.update(options.name, { ...c, ...wanted });
}
