import { type NatsConnection, type Subscription } from '@nats-io/transport-node';
import { subjects, type CommandReply } from '@pool/contracts';
import { AdvisoryLockSession, type PostgresEventStore } from '@pool/event-store';
import { toCommandError } from './domain-errors.js';
import { type ModelEvent, type PoolModel } from './pool-model.js';
import { PoolWriter, type PoolWriterOptions, type SubmittedCommand } from './pool-writer.js';

export interface LeadershipOptions<Command, Event, State> {
  connectionString: string;
  store: PostgresEventStore;
  nc: NatsConnection;
  subjectRoot: string;
  model: PoolModel<Command, Event, State>;
  writer?: PoolWriterOptions;
  replicaId: string;
  onChange?: (poolId: string, leading: boolean) => void;
  onError?: (error: unknown) => void;
}

interface Led<Command extends { type: string }, Event extends ModelEvent, State> {
  writer: PoolWriter<Command, Event, State>;
  subscription: Subscription;
}

/**
 * Which pools this replica leads. A pool is led by whoever holds its advisory lock; a replica
 * campaigns for a pool when a command for it arrives and nobody answers for it (CommandService
 * forwards first, so a pool led elsewhere costs no lock query), unless `placement` finds it
 * a replica with more room (LeaderBalancer). All locks sit on one session: if it dies, every
 * pool is given up at once.
 */
export class PoolLeadership<Command extends { type: string }, Event extends ModelEvent, State> {
  private session: AdvisoryLockSession | undefined;
  private readonly led = new Map<string, Led<Command, Event, State>>();
  private readonly campaigns = new Map<
    string,
    Promise<PoolWriter<Command, Event, State> | undefined>
  >();
  private opening: Promise<AdvisoryLockSession> | undefined;
  private closed = false;
  private readonly wonListeners = new Set<(poolId: string) => void>();
  /** Pools being handed over: deposed, still answering their subject with NOT_LEADER. */
  private readonly handing = new Set<string>();
  /**
   * Asked before campaigning for a pool nobody leads: true when another replica took it
   * (the caller then forwards the command to it).
   */
  placement: ((poolId: string) => Promise<boolean>) | undefined;

  constructor(private readonly options: LeadershipOptions<Command, Event, State>) {}

  get ledPools(): string[] {
    return [...this.led.keys()];
  }

  /** The writer if this replica leads the pool now, with no campaign and no query. */
  leading(poolId: string): PoolWriter<Command, Event, State> | undefined {
    const led = this.led.get(poolId);
    if (led && !led.writer.isDeposed) return led.writer;
    if (led && !this.handing.has(poolId)) void this.release(poolId);
    return undefined;
  }

  /** The writer if this replica leads (or just won) the pool; undefined if another replica does. */
  writerFor(poolId: string): Promise<PoolWriter<Command, Event, State> | undefined> {
    return this.campaignOnce(poolId, true);
  }

  /** Campaigns for the pool here, placement not asked (another replica handed it over). */
  async take(poolId: string): Promise<boolean> {
    return (await this.campaignOnce(poolId, false)) !== undefined;
  }

  /**
   * Gives a pool led here to another replica without a command failing: the writer steps down
   * (the batch being written is settled first, so everything acknowledged is in the log), the
   * lock is released, and `give` asks the other replica to take it. Until it has, this replica
   * still answers the pool's subject, with NOT_LEADER, which the entries retry, so no command
   * finds nobody and campaigns meanwhile; the new leader loads the pool from the log after
   * winning the lock, and the log's expected version fences any write of a late old leader.
   * If `give` fails, the pool is campaigned for again (here or wherever placement says).
   */
  async handOver(poolId: string, give: () => Promise<boolean>): Promise<boolean> {
    const led = this.led.get(poolId);
    if (!led || this.closed || this.handing.has(poolId)) return false;
    this.handing.add(poolId);
    let given = false;
    try {
      await led.writer.stepDown();
      await this.session?.unlock(lockName(poolId));
      given = await give().catch((error: unknown) => {
        this.options.onError?.(error);
        return false;
      });
    } finally {
      this.led.delete(poolId);
      led.subscription.unsubscribe();
      this.handing.delete(poolId);
      this.options.onChange?.(poolId, false);
    }
    if (!given && !this.closed) {
      await this.writerFor(poolId).catch((error: unknown) => this.options.onError?.(error));
    }
    return given;
  }

  /** Calls `listener` each time this replica wins a pool; returns the way to stop. */
  onWon(listener: (poolId: string) => void): () => void {
    this.wonListeners.add(listener);
    return () => this.wonListeners.delete(listener);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const poolId of [...this.led.keys()]) await this.release(poolId);
    await this.session?.close();
  }

  /** One campaign per pool at a time, whoever asks. */
  private campaignOnce(
    poolId: string,
    place: boolean,
  ): Promise<PoolWriter<Command, Event, State> | undefined> {
    const writer = this.leading(poolId);
    if (writer) return Promise.resolve(writer);
    let campaign = this.campaigns.get(poolId);
    if (!campaign) {
      campaign = this.campaign(poolId, place).finally(() => this.campaigns.delete(poolId));
      this.campaigns.set(poolId, campaign);
    }
    return campaign;
  }

  private async campaign(
    poolId: string,
    place: boolean,
  ): Promise<PoolWriter<Command, Event, State> | undefined> {
    if (this.closed) return undefined;
    if (place && (await this.placement?.(poolId))) return undefined;
    const session = await this.openSession();
    if (!(await session.tryLock(lockName(poolId)))) return undefined;
    try {
      const writer = await PoolWriter.load(poolId, this.options.store, this.options.model, {
        ...this.options.writer,
      });
      const subscription = this.options.nc.subscribe(
        subjects(this.options.subjectRoot).leader(poolId),
        {
          callback: (error, msg) =>
            error ? this.options.onError?.(error) : void this.serveForwarded(writer, msg),
        },
      );
      this.led.set(poolId, { writer, subscription });
      this.options.onChange?.(poolId, true);
      this.wonListeners.forEach((listener) => listener(poolId));
      return writer;
    } catch (error) {
      await session.unlock(lockName(poolId)).catch(() => undefined);
      throw error;
    }
  }

  private async serveForwarded(
    writer: PoolWriter<Command, Event, State>,
    msg: { json<T>(): T; respond(data: string): boolean },
  ): Promise<void> {
    let reply: CommandReply;
    try {
      const submitted = msg.json<SubmittedCommand<Command>>();
      reply = { ok: true, result: await writer.submit(submitted) };
    } catch (error) {
      reply = { ok: false, error: toCommandError(error).toWire() };
    }
    msg.respond(JSON.stringify(reply));
  }

  private async release(poolId: string): Promise<void> {
    const led = this.led.get(poolId);
    if (!led) return;
    this.led.delete(poolId);
    led.writer.depose();
    led.subscription.unsubscribe();
    this.options.onChange?.(poolId, false);
    await this.session?.unlock(lockName(poolId)).catch(() => undefined);
  }

  private async openSession(): Promise<AdvisoryLockSession> {
    if (this.session?.alive) return this.session;
    this.opening ??= (async () => {
      const session = new AdvisoryLockSession({
        connectionString: this.options.connectionString,
        applicationName: `poolnet-master:${this.options.replicaId}`,
        onLost: (error) => {
          this.options.onError?.(error);
          for (const poolId of [...this.led.keys()]) void this.release(poolId);
        },
      });
      await session.open();
      this.session = session;
      return session;
    })().finally(() => (this.opening = undefined));
    return this.opening;
  }
}

const lockName = (poolId: string) => `poolnet:pool-leader:${poolId}`;
