import { DeliverPolicy, jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { HostReport } from '@pool/contracts';
import { PULL_EXPIRES_MS } from '@pool/platform';

export interface ReportFollowerOptions {
  stream: string;
  /** `<root>.*.hosts.*.reports` */
  subject: string;
  onReport: (report: HostReport) => void;
  onMalformed?: (subject: string, error: unknown) => void;
}

/**
 * Host reports from JetStream: first the last report of every host (so a coordinator that
 * starts mid-migration knows at once where each host stands), then every new one as it is
 * published. An ordered consumer: nothing to ack, nothing left behind on the server.
 */
export class ReportFollower {
  constructor(private readonly o: ReportFollowerOptions) {}

  async run(nc: NatsConnection, signal: AbortSignal): Promise<void> {
    const consumer = await jetstream(nc).consumers.get(this.o.stream, {
      filter_subjects: this.o.subject,
      deliver_policy: DeliverPolicy.LastPerSubject,
    });
    const messages = await consumer.consume({ expires: PULL_EXPIRES_MS });
    const stop = () => void messages.close();
    signal.addEventListener('abort', stop);
    try {
      for await (const message of messages) {
        let report: HostReport;
        try {
          report = message.json<HostReport>();
          if (typeof report.pool !== 'string' || typeof report.host !== 'string') {
            throw new Error('no pool or host');
          }
        } catch (error) {
          this.o.onMalformed?.(message.subject, error);
          continue;
        }
        this.o.onReport(report);
      }
    } finally {
      signal.removeEventListener('abort', stop);
    }
    if (!signal.aborted) throw new Error('the host reports consumer stopped');
  }
}
