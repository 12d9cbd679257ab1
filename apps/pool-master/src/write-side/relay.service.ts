import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { jetstreamManager } from '@nats-io/jetstream';
import {
  formatPosition as fmt,
  listenForAppends,
  readLogId,
  type LogWakeups,
} from '@pool/event-store';
import { LOG_ID_HEADER, poolIdOfStream, subjects, type EventEnvelope } from '@pool/contracts';
import {
  AdvisoryLeader,
  AsyncJetStreamPublisher,
  JetStreamRelay,
  PostgresEventStore,
  type RecordedEvent,
} from '@pool/event-store';
import { NatsClient } from '@pool/platform';
import { ensureStreams } from './streams.js';
import { WRITE_SIDE_OPTIONS, type WriteSideOptions } from './write-side.options.js';
import { WRITE_SIDE_METRICS } from './write-side.tokens.js';
import { type WriteSideMetrics } from './write-side.metrics.js';

/**
 * Runs the relay on the replica that wins its advisory lock; the others stand by. Creates the
 * events and reports streams at start (idempotently) so members can bind their consumers.
 */
@Injectable()
export class RelayService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Relay');
  private leader: AdvisoryLeader | undefined;
  private listener: LogWakeups | undefined;
  private running: Promise<void> | undefined;
  private publisher: AsyncJetStreamPublisher | undefined;
  private stopWaking: (() => void) | undefined;
  private stopped: Promise<void> | undefined;

  constructor(
    @Inject(WRITE_SIDE_OPTIONS) private readonly options: WriteSideOptions,
    @Inject(PostgresEventStore) private readonly store: PostgresEventStore,
    @Inject(NatsClient) private readonly nats: NatsClient,
    @Inject(WRITE_SIDE_METRICS) private readonly metrics: WriteSideMetrics,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const nc = await this.nats.connected();
    const jsm = await jetstreamManager(nc);
    await ensureStreams(jsm, this.options);
    const names = subjects(this.options.subjectRoot);
    if (!this.options.relay) return;
    this.publisher = new AsyncJetStreamPublisher(nc);
    // Every message names the log it comes from: hosts tell another log from their own by it.
    let logHeaders: Record<string, string> = {};
    const relay = new JetStreamRelay({
      store: this.store,
      publisher: this.publisher,
      toMessage: (event) => ({
        subject: names.events(poolIdOfStream(event.streamId) ?? 'unknown'),
        payload: JSON.stringify(toEnvelope(event)),
        headers: logHeaders,
      }),
      onBatch: ({ published, duplicates }) => {
        this.metrics.relayPublished.inc(published);
        this.metrics.relayDuplicates.inc(duplicates);
      },
      onError: (error) => {
        this.metrics.relayErrors.inc();
        this.logger.warn(`relay batch failed, republishing from the checkpoint: ${String(error)}`);
      },
    });
    // Appends of this replica wake the relay directly; other replicas' through NOTIFY.
    this.stopWaking = this.store.onCommitted(() => relay.notify());
    await this.listen(() => relay.notify());
    this.leader = new AdvisoryLeader({
      connectionString: this.options.databaseUrl,
      lockName: 'poolnet:relay',
      onError: (error) => this.logger.warn(`relay leadership: ${String(error)}`),
    });
    this.running = this.leader.run(async (signal) => {
      this.logger.log('this replica now runs the relay');
      this.metrics.relayLeader.set(1);
      try {
        // Read per leadership: the log a replica relays is the one in the database it leads.
        logHeaders = { [LOG_ID_HEADER]: await readLogId(this.store.pool) };
        await relay.run(signal);
      } finally {
        this.metrics.relayLeader.set(0);
      }
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.stop();
  }

  /**
   * Stores the checkpoint, lets the lock go and closes the relay's connections; the write side
   * calls it before it ends the store's pool (Nest runs one module's shutdown hooks at once).
   */
  stop(): Promise<void> {
    this.stopped ??= this.close();
    return this.stopped;
  }

  private async close(): Promise<void> {
    this.stopWaking?.();
    await this.leader?.stop();
    await this.running;
    this.publisher?.close();
    await this.listener?.close();
  }

  /** NOTIFY from the append wakes the relay at once; it polls as well, so a lost one costs ms. */
  private async listen(wake: () => void): Promise<void> {
    this.listener = await listenForAppends({
      databaseUrl: this.options.databaseUrl,
      applicationName: 'poolnet-relay-listen',
      onAppend: wake,
      onError: (error) => this.logger.warn(`relay LISTEN connection lost: ${error.message}`),
    });
  }
}

export const toEnvelope = (event: RecordedEvent): EventEnvelope => ({
  id: event.eventId,
  pool: poolIdOfStream(event.streamId) ?? event.streamId,
  version: event.streamVersion,
  position: fmt(event.position),
  type: event.type,
  schemaVersion: event.schemaVersion,
  data: event.data,
  metadata: event.metadata,
  createdAt: event.createdAt,
});
