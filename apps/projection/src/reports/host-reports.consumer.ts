import {
  AckPolicy,
  DeliverPolicy,
  jetstream,
  jetstreamManager,
  type JetStreamManager,
} from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { subjects } from '@pool/contracts';
import { ensureEventsStream, REPORTS_STREAM_RETENTION } from '@pool/event-store';
import type pg from 'pg';
import { applyHostReport, parseHostReport, type ReportOutcome } from './host-report-writer.js';
import { PULL_EXPIRES_MS } from '@pool/platform';

export interface HostReportsConsumerOptions {
  db: pg.Pool;
  subjectRoot: string;
  stream: string;
  /** JetStream copies of the reports stream (REPORTS_REPLICAS, as the master's). */
  replicas?: number;
  /** Durable consumer name: it keeps its place across restarts and replicas. */
  durable: string;
  onReport?: (outcome: ReportOutcome) => void;
  onMalformed?: (subject: string, error: unknown) => void;
}

/**
 * Host reports (`<root>.*.hosts.*.reports`) into host status, through a durable consumer that
 * starts from the last report of every host and acks each report once it has committed. A
 * failure ends the run (the caller starts another): unacked reports come again, and the
 * sequence check in applyHostReport makes that harmless.
 */
export class HostReportsConsumer {
  constructor(private readonly o: HostReportsConsumerOptions) {}

  async run(nc: NatsConnection, signal: AbortSignal): Promise<void> {
    const jsm = await jetstreamManager(nc);
    await this.ensureConsumer(jsm);
    const consumer = await jetstream(nc).consumers.get(this.o.stream, this.o.durable);
    const messages = await consumer.consume({ max_messages: 256, expires: PULL_EXPIRES_MS });
    const stop = () => void messages.close();
    signal.addEventListener('abort', stop);
    try {
      for await (const message of messages) {
        let report;
        try {
          report = parseHostReport(message.subject, message.json<unknown>());
        } catch (error) {
          this.o.onMalformed?.(message.subject, error);
          message.term();
          continue;
        }
        this.o.onReport?.(await applyHostReport(this.o.db, report, message.seq));
        message.ack();
      }
    } finally {
      signal.removeEventListener('abort', stop);
    }
    if (!signal.aborted) throw new Error('the host reports consumer stopped');
  }

  private async ensureConsumer(jsm: JetStreamManager): Promise<void> {
    const subject = subjects(this.o.subjectRoot).allReports;
    // The same settings as the pool master's, so neither keeps "fixing" the other's.
    await ensureEventsStream(jsm, {
      name: this.o.stream,
      subjects: [subject],
      ...REPORTS_STREAM_RETENTION,
      replicas: this.o.replicas,
    });
    const existing = await jsm.consumers.info(this.o.stream, this.o.durable).catch(() => undefined);
    if (existing) return;
    await jsm.consumers.add(this.o.stream, {
      durable_name: this.o.durable,
      filter_subject: subject,
      ack_policy: AckPolicy.Explicit,
      // A new consumer starts from each host's latest report, not a day of history.
      deliver_policy: DeliverPolicy.LastPerSubject,
      ack_wait: 30_000_000_000,
      max_ack_pending: 1_000,
    });
  }
}
