import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnModuleInit,
} from '@nestjs/common';
import pg from 'pg';
import { Subject } from 'rxjs';
import { ProjectionConfig } from '../../config/projection.config.js';
import { CHANGES_CHANNEL, type ChangeMessage } from '../../read-models/read-model-store.js';
import { pgConnection } from '@pool/event-store';

/**
 * Every committed read-model batch and host report, as NOTIFY `rm_changes` delivers them on
 * commit: each replica listens, so a stream served by any replica sees what the projecting
 * replica wrote. The connection is re-opened after a failure.
 */
@Injectable()
export class ChangeFeed implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger('ChangeFeed');
  readonly changes = new Subject<ChangeMessage>();
  private client: pg.Client | undefined;
  private stopped = false;
  private retry: NodeJS.Timeout | undefined;

  constructor(@Inject(ProjectionConfig) private readonly config: ProjectionConfig) {}

  onModuleInit(): void {
    void this.connect();
  }

  /** Before the HTTP server closes: ends open streams, which would otherwise hold it open. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    this.changes.complete();
    await this.client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({
      ...pgConnection(this.config.databaseUrl),
      application_name: 'poolnet-projection-changes',
    });
    client.on('notification', (message) => {
      if (message.channel !== CHANGES_CHANNEL || !message.payload) return;
      try {
        this.changes.next(JSON.parse(message.payload) as ChangeMessage);
      } catch (error) {
        this.logger.warn(`ignored a malformed change notification: ${String(error)}`);
      }
    });
    client.on('error', (error) => {
      this.logger.warn(`change feed connection lost: ${error.message}`);
      this.reconnect(client);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANGES_CHANNEL}`);
      this.client = client;
    } catch (error) {
      this.logger.warn(`cannot listen for changes yet: ${String(error)}`);
      this.reconnect(client);
    }
  }

  private reconnect(client: pg.Client): void {
    void client.end().catch(() => undefined);
    if (this.client === client) this.client = undefined;
    if (this.stopped || this.retry) return;
    this.retry = setTimeout(() => {
      this.retry = undefined;
      void this.connect();
    }, 1_000);
  }
}
