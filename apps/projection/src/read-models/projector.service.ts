import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import {
  AdvisoryLeader,
  createEventStorePool,
  PostgresEventStore,
  listenForAppends,
  type LogWakeups,
} from '@pool/event-store';
import { NatsClient } from '@pool/platform';
import pg from 'pg';
import { ProjectionConfig } from '../config/projection.config.js';
import { HostReportsConsumer } from '../reports/host-reports.consumer.js';
import { Projector } from './projector.js';
import { PROJECTION_METRICS } from './read-models.tokens.js';
import { type ProjectionMetrics } from './projection.metrics.js';

/** Advisory lock of the projector: one writer of the read models per deployment. */
export const PROJECTOR_LOCK = 'poolnet:projection';

/**
 * Runs the projector and the host-reports consumer on the one replica holding the projector's
 * advisory lock, so two replicas never write the read models at once; every replica serves
 * reads. The checkpoint's compare-and-set fences a deposed leader's late batch.
 */
@Injectable()
export class ProjectorService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Projector');
  private readonly stopping = new AbortController();
  private leader: AdvisoryLeader | undefined;
  private listener: LogWakeups | undefined;
  private running: Promise<void> | undefined;
  private db: pg.Pool | undefined;

  constructor(
    @Inject(ProjectionConfig) private readonly config: ProjectionConfig,
    @Inject(NatsClient) private readonly nats: NatsClient,
    @Inject(PROJECTION_METRICS) private readonly metrics: ProjectionMetrics,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.projectorEnabled) return;
    this.running = this.campaign().catch((error: unknown) =>
      this.logger.error(`projector stopped: ${String(error)}`),
    );
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping.abort();
    await this.leader?.stop();
    await this.running;
    await this.listener?.close();
    await this.db?.end().catch(() => undefined);
  }

  private async campaign(): Promise<void> {
    const db = createEventStorePool({
      connectionString: this.config.databaseUrl,
      applicationName: 'poolnet-projector',
      max: 4,
      statementTimeoutMs: 60_000,
    });
    db.on('error', () => undefined); // idle clients dying are replaced on demand
    this.db = db;
    const projector = new Projector({
      store: new PostgresEventStore(db, { notifyChannel: false }),
      db,
      batchSize: this.config.projectionBatch,
      idleMs: this.config.projectionPollMs,
      onBatch: ({ events, rows, ms }) => {
        this.metrics.events.inc(events);
        this.metrics.rows.inc(rows);
        this.metrics.batchEvents.observe(events);
        this.metrics.batchSeconds.observe(ms / 1000);
      },
      onError: (error) => {
        this.metrics.errors.inc();
        this.logger.warn(`projector batch failed, replaying from the checkpoint: ${String(error)}`);
      },
    });
    await this.listen(() => projector.notify()).catch((error: unknown) =>
      this.logger.warn(`LISTEN for appends failed, polling only: ${String(error)}`),
    );
    this.leader = new AdvisoryLeader({
      connectionString: this.config.databaseUrl,
      lockName: PROJECTOR_LOCK,
      onError: (error) => this.logger.warn(`projector leadership: ${String(error)}`),
    });
    await this.leader.run(async (signal) => {
      this.logger.log('this replica now writes the read models');
      this.metrics.leader.set(1);
      try {
        await Promise.all([projector.run(signal), this.consumeReports(db, signal)]);
      } finally {
        this.metrics.leader.set(0);
      }
    });
  }

  /** Host reports for as long as this replica leads; restarted after any failure. */
  private async consumeReports(db: pg.Pool, signal: AbortSignal): Promise<void> {
    const nc = await Promise.race([
      this.nats.connected(),
      new Promise<undefined>((resolve) =>
        signal.addEventListener('abort', () => resolve(undefined)),
      ),
    ]);
    if (!nc) return;
    const consumer = new HostReportsConsumer({
      db,
      subjectRoot: this.config.subjectRoot,
      stream: this.config.reportsStream,
      replicas: this.config.reportsReplicas,
      durable: this.config.reportsConsumer,
      onReport: (outcome) =>
        this.metrics.reports.inc({ result: outcome.applied ? 'applied' : 'skipped' }),
      onMalformed: (subject, error) =>
        this.logger.warn(`ignored a malformed host report on ${subject}: ${String(error)}`),
    });
    while (!signal.aborted) {
      try {
        await consumer.run(nc, signal);
      } catch (error) {
        if (signal.aborted) break;
        this.logger.warn(`host reports consumer failed, restarting: ${String(error)}`);
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      }
    }
  }

  /** The NOTIFY sent after every append wakes the projector at once; it polls as well. */
  private async listen(wake: () => void): Promise<void> {
    this.listener = await listenForAppends({
      databaseUrl: this.config.databaseUrl,
      applicationName: 'poolnet-projector-listen',
      onAppend: wake,
      onError: (error) =>
        this.logger.warn(`projector LISTEN connection lost, polling: ${error.message}`),
    });
  }
}
