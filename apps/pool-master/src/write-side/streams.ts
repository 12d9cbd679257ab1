import { type JetStreamManager } from '@nats-io/jetstream';
import { subjects } from '@pool/contracts';
import { ensureEventsStream } from '@pool/event-store';
import { type WriteSideOptions } from './write-side.options.js';

/** Creates (or updates) the events and reports streams; idempotent, so every user calls it. */
export async function ensureStreams(
  jsm: JetStreamManager,
  options: WriteSideOptions,
): Promise<void> {
  const names = subjects(options.subjectRoot);
  await ensureEventsStream(jsm, {
    name: options.eventsStream,
    subjects: [names.allEvents],
    maxAgeMs: options.eventsMaxAgeMs,
  });
  await ensureEventsStream(jsm, {
    name: options.reportsStream,
    subjects: [names.allReports],
    maxAgeMs: 24 * 3600_000,
    duplicateWindowMs: 60_000,
  });
}
