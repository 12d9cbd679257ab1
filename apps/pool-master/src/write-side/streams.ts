import { type JetStreamManager } from '@nats-io/jetstream';
import { subjects } from '@pool/contracts';
import { ensureEventsStream, REPORTS_STREAM_RETENTION } from '@pool/event-store';
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
    replicas: options.eventsReplicas,
  });
  await ensureEventsStream(jsm, {
    name: options.reportsStream,
    subjects: [names.allReports],
    ...REPORTS_STREAM_RETENTION,
    replicas: options.reportsReplicas,
  });
}
