import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import {
  DeliverPolicy,
  jetstream,
  jetstreamManager,
  type ConsumerMessages,
} from '@nats-io/jetstream';
import { subjects, type HostReport } from '@pool/contracts';
import { NatsClient, PULL_EXPIRES_MS } from '@pool/platform';
import { ConvergenceTracker } from '../convergence/convergence-tracker.js';
import { ensureStreams } from './streams.js';
import { WRITE_SIDE_OPTIONS, type WriteSideOptions } from './write-side.options.js';

/**
 * Feeds host reports into the convergence tracker: the last report of every host first (so a
 * restarted master knows where hosts are), then every new one.
 */
@Injectable()
export class ReportsService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Reports');
  private messages: ConsumerMessages | undefined;

  constructor(
    @Inject(WRITE_SIDE_OPTIONS) private readonly options: WriteSideOptions,
    @Inject(NatsClient) private readonly nats: NatsClient,
    @Inject(ConvergenceTracker) private readonly tracker: ConvergenceTracker,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const nc = await this.nats.connected();
    await ensureStreams(await jetstreamManager(nc), this.options);
    const consumer = await jetstream(nc).consumers.get(this.options.reportsStream, {
      filter_subjects: subjects(this.options.subjectRoot).allReports,
      deliver_policy: DeliverPolicy.LastPerSubject,
    });
    this.messages = await consumer.consume({ expires: PULL_EXPIRES_MS });
    void (async () => {
      for await (const msg of this.messages!) {
        try {
          this.tracker.record(msg.json<HostReport>());
        } catch (error) {
          this.logger.warn(`ignored a malformed host report on ${msg.subject}: ${String(error)}`);
        }
      }
    })();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.messages?.close();
  }
}
