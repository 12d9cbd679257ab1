import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { NatsConnection } from '@nats-io/transport-node';
import { subjects, type CommandReply } from '@pool/contracts';
import { AdvisoryLeader, PostgresEventStore } from '@pool/event-store';
import { NatsClient } from '@pool/platform';
import { PG_POOL } from '@pool/platform/postgres';
import type { Pool } from 'pg';
import { Registry } from 'prom-client';
import { ProjectionConfig } from '../config/projection.config.js';
import { MigrationCoordinator } from './coordinator.js';
import { coordinatorMetrics, type CoordinatorMetrics } from './coordinator.metrics.js';
import { LogFollower } from './log-follower.js';
import { ReportFollower } from './report-follower.js';

/** Advisory lock of the coordinator: its own key, apart from the relay's and the pools'. */
export const COORDINATOR_LOCK = 'poolnet:migration-coordinator';

const TICK_MS = 250;
const COMMAND_TIMEOUT_MS = 10_000;

/**
 * Runs the migration coordinator on the one projection replica that holds its advisory lock;
 * the others stand by and take over when that session ends. Each term starts from nothing:
 * the log from its start and the last report of every host, so a coordinator killed half-way
 * through a migration is resumed by whichever replica wins next.
 */
@Injectable()
export class MigrationCoordinatorService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('MigrationCoordinator');
  private readonly metrics: CoordinatorMetrics;
  private readonly stopping = new AbortController();
  private leader: AdvisoryLeader | undefined;
  /** The last failure logged, and when: a term failing the same way every second is logged
   * once a minute. */
  private lastFailure = { message: '', at: 0 };
  private running: Promise<void> | undefined;
  /** The coordinator of the current term, if this replica leads (for status and tests). */
  current: MigrationCoordinator | undefined;

  constructor(
    @Inject(ProjectionConfig) private readonly config: ProjectionConfig,
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(NatsClient) private readonly nats: NatsClient,
    @Inject(Registry) registry: Registry,
  ) {
    this.metrics = coordinatorMetrics(registry);
  }

  onApplicationBootstrap(): void {
    if (!this.config.migrationCoordinator) return;
    this.running = this.campaign();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping.abort();
    await this.leader?.stop();
    await this.running;
  }

  private async campaign(): Promise<void> {
    // connected() never settles without NATS: race it with shutdown.
    const nc = await Promise.race([
      this.nats.connected(),
      new Promise<undefined>((resolve) =>
        this.stopping.signal.addEventListener('abort', () => resolve(undefined)),
      ),
    ]);
    if (!nc || this.stopping.signal.aborted) return;
    this.leader = new AdvisoryLeader({
      connectionString: this.config.databaseUrl,
      lockName: COORDINATOR_LOCK,
      onError: (error) => {
        const message = `migration coordinator: ${String(error)}`;
        const now = Date.now();
        if (message === this.lastFailure.message && now - this.lastFailure.at < 60_000) return;
        this.logger.warn(message);
        this.lastFailure = { message, at: now };
      },
    });
    await this.leader.run((signal) => this.lead(nc, signal));
  }

  /** One term as the coordinator; any failure ends it, and the campaign starts a new one. */
  private async lead(nc: NatsConnection, signal: AbortSignal): Promise<void> {
    this.logger.log('this replica now coordinates migrations');
    this.metrics.leader.set(1);
    const names = subjects(this.config.subjectRoot);
    // The saga's steps need admin; the subject names the NATS user, which the master records
    // (deploy/nats/nats.conf lets user projection send these four commands and nothing else).
    const sender = { role: 'admin', user: this.config.natsUser ?? 'projection' };
    const coordinator = new MigrationCoordinator({
      send: async (pool, type, commandId, data) => {
        const msg = await nc.request(
          names.command(pool, type, sender),
          JSON.stringify({ commandId, data }),
          { timeout: COMMAND_TIMEOUT_MS },
        );
        return msg.json<CommandReply>();
      },
      timeoutMs: this.config.migrationTimeoutMs,
      log: this.logger,
      metrics: this.metrics,
    });
    this.current = coordinator;
    const term = new AbortController();
    let failure: Error | undefined;
    const fail = (error: unknown) => {
      failure ??= error instanceof Error ? error : new Error(String(error));
      term.abort();
    };
    const end = () => term.abort();
    signal.addEventListener('abort', end);
    const ticker = setInterval(() => coordinator.tick(), TICK_MS);
    const log = new LogFollower({
      store: new PostgresEventStore(this.pool, { notifyChannel: false }),
      databaseUrl: this.config.databaseUrl,
      onBatch: (events, caughtUp) => coordinator.onLog(events, caughtUp),
    });
    const reports = new ReportFollower({
      stream: this.config.reportsStream,
      subject: names.allReports,
      onReport: (report) => coordinator.onReport(report),
      onMalformed: (subject, error) =>
        this.logger.warn(`ignored a malformed host report on ${subject}: ${String(error)}`),
    });
    try {
      // Either follower failing ends the term (and so the other).
      await Promise.all([
        log.run(term.signal).catch(fail),
        reports.run(nc, term.signal).catch(fail),
      ]);
    } finally {
      clearInterval(ticker);
      signal.removeEventListener('abort', end);
      await coordinator.idle();
      this.current = undefined;
      this.metrics.leader.set(0);
    }
    if (!signal.aborted) throw failure ?? new Error('the coordinator term ended');
  }
}
