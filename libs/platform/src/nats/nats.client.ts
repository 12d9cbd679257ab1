import { Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { setTimeout as sleep } from 'node:timers/promises';
import { type HealthRegistry } from '../health/health.registry.js';
import { redactUrl } from '../logging/redact-url.js';
import { natsAuthOptions, type NatsAuthOptions, type NatsCredentials } from './nats-auth.js';

export interface NatsOptions {
  /** One URL or a comma-separated list; credentials may be embedded (`nats://u:p@host:4222`). */
  servers: string;
  /** Client name shown by the NATS server's monitoring endpoints. */
  name: string;
  /** The service's NATS user (deploy/nats/nats.conf); none for a server without auth. */
  credentials?: NatsCredentials;
  retryDelayMs?: number;
}

/**
 * The app's NATS connection. The first connect is retried in the background instead of failing
 * boot: a member host must keep forwarding and the master keep appending while NATS is away.
 * After that, the client's own reconnect logic (never giving up) takes over.
 */
export class NatsClient implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Nats');
  private readonly stop = new AbortController();
  private readonly first: Promise<NatsConnection>;
  private resolveFirst!: (nc: NatsConnection) => void;
  private nc: NatsConnection | undefined;
  private readonly auth: NatsAuthOptions;

  constructor(
    private readonly options: NatsOptions,
    private readonly health: HealthRegistry,
  ) {
    // Before connecting: bad credentials settings fail the boot, not the connect loop.
    this.auth = natsAuthOptions(options.credentials);
    this.first = new Promise((resolve) => (this.resolveFirst = resolve));
    // Started here, not in onModuleInit: other providers' factories may await `connected()`.
    void this.connectUntilStopped();
  }

  /** The live connection; throws while the first connect is still pending. */
  get connection(): NatsConnection {
    if (!this.nc) throw new Error('NATS is not connected yet');
    return this.nc;
  }

  /**
   * Resolves once connected, for feature modules that start consumers in the background. Never
   * settles if the app shuts down first, so do not await it in a shutdown path.
   */
  connected(): Promise<NatsConnection> {
    return this.first;
  }

  onModuleInit(): void {
    this.health.register('nats', async () => {
      if (!this.nc || this.nc.isClosed()) throw new Error('not connected');
      await this.nc.flush(); // a PING/PONG round trip, so a dead socket cannot pass
    });
  }

  async onApplicationShutdown(): Promise<void> {
    this.stop.abort();
    if (!this.nc || this.nc.isClosed()) return;
    // Drain lets subscribers finish in-flight messages; close if the server is unreachable.
    await Promise.race([this.nc.drain(), sleep(3_000)]).catch(() => undefined);
    await this.nc.close();
  }

  private async connectUntilStopped(): Promise<void> {
    const servers = this.options.servers.split(',').map((s) => s.trim());
    for (let attempt = 1; !this.stop.signal.aborted; attempt++) {
      try {
        const nc = await connect({
          servers,
          name: this.options.name,
          ...this.auth,
          maxReconnectAttempts: -1,
          // Keep retrying after two refusals in a row, as after any other failure: the server's
          // users may be being fixed or rotated, and a closed connection never comes back.
          ignoreAuthErrorAbort: true,
          // Otherwise every request builds two Error objects up front for their stack traces.
          noAsyncTraces: true,
        });
        if (this.stop.signal.aborted) {
          await nc.close(); // shutdown began while connecting
          return;
        }
        this.nc = nc;
        this.resolveFirst(nc);
        this.logger.log(`connected to ${redactUrl(nc.getServer())}`);
        return;
      } catch (err) {
        // Loud once, then quiet: a NATS outage should not flood the log every two seconds.
        const log = attempt === 1 ? 'warn' : 'debug';
        this.logger[log](`cannot connect to ${redactUrl(this.options.servers)} (${message(err)})`);
        await sleep(this.options.retryDelayMs ?? 2_000, undefined, {
          signal: this.stop.signal,
        }).catch(() => undefined);
      }
    }
  }
}

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));
