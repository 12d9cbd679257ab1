import { RequestError, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import { subjects, type TakePoolReply, type TakePoolRequest } from '@pool/contracts';
import { placeUnled, planHandovers, shareCap } from './leader-share.js';
import { type PoolLeadership } from './pool-leadership.js';
import { ReplicaMembership } from './replica-membership.js';

export interface BalancerOptions {
  nc: NatsConnection;
  subjectRoot: string;
  replicaId: string;
  /** How often the shares are compared and excess pools handed over. */
  intervalMs?: number;
  heartbeatMs?: number;
  /** A replica gets pools once it has been heard from for this long. */
  settledMs?: number;
  /** Handovers under way at once from this replica. */
  concurrency?: number;
  takeTimeoutMs?: number;
  onMoved?: (poolId: string, to: string) => void;
  onError?: (error: unknown) => void;
}

/**
 * Keeps each replica's share of the pools' leadership at most ceil(pools led / replicas)
 * (`leader-share.ts`): a replica over it hands pools over to the replicas under it, gracefully
 * (`PoolLeadership.handOver`), and a pool nobody leads is placed on a replica with room. A
 * replica started later is given its share within seconds; one that dies is dropped once its
 * heartbeats stop, and its pools are led by whoever their next commands reach, within the cap.
 */
export class LeaderBalancer {
  private readonly membership: ReplicaMembership;
  private subscription: Subscription | undefined;
  private timer: NodeJS.Timeout | undefined;
  private round: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly leadership: PoolLeadership<{ type: string }, never, unknown>,
    private readonly options: BalancerOptions,
  ) {
    this.membership = new ReplicaMembership({
      nc: options.nc,
      subjectRoot: options.subjectRoot,
      replicaId: options.replicaId,
      led: () => leadership.ledPools.length,
      heartbeatMs: options.heartbeatMs,
      onError: options.onError,
    });
  }

  start(): void {
    this.subscription = this.options.nc.subscribe(
      subjects(this.options.subjectRoot).takePool(this.options.replicaId),
      {
        callback: (error, msg) => {
          if (error) return this.options.onError?.(error);
          void this.take(msg.json<TakePoolRequest>()).then(
            (reply) => msg.respond(JSON.stringify(reply)),
            (failure: unknown) =>
              msg.respond(JSON.stringify({ taken: false, reason: String(failure) })),
          );
        },
      },
    );
    this.membership.start();
    this.leadership.placement = (poolId) => this.place(poolId);
    this.timer = setInterval(() => {
      this.round ??= this.rebalance().finally(() => (this.round = undefined));
    }, this.options.intervalMs ?? 1000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    this.leadership.placement = undefined;
    await this.round;
    this.subscription?.unsubscribe();
    await this.membership.stop();
  }

  /** Hands this replica's excess over, a few pools at a time. */
  private async rebalance(): Promise<void> {
    const shares = this.membership.shares(this.options.settledMs ?? 2000);
    const plan = planHandovers(this.options.replicaId, shares, this.leadership.ledPools);
    const queue = [...plan];
    const worker = async () => {
      for (let next = queue.shift(); next && !this.stopped; next = queue.shift()) {
        const { pool, to } = next;
        const given = await this.leadership.handOver(pool, () => this.ask(to, pool));
        if (given) this.options.onMoved?.(pool, to);
      }
    };
    await Promise.all(Array.from({ length: this.options.concurrency ?? 4 }, worker));
  }

  /** A pool nobody leads: true if a replica with more room took it. */
  private async place(poolId: string): Promise<boolean> {
    const shares = this.membership.shares(this.options.settledMs ?? 2000);
    const to = placeUnled(this.options.replicaId, shares);
    if (to === this.options.replicaId) return false;
    return this.ask(to, poolId, true).catch(() => false);
  }

  private async ask(to: string, pool: string, unled = false): Promise<boolean> {
    const request: TakePoolRequest = {
      pool,
      from: this.options.replicaId,
      ...(unled ? { unled } : {}),
    };
    try {
      const msg = await this.options.nc.request(
        subjects(this.options.subjectRoot).takePool(to),
        JSON.stringify(request),
        { timeout: this.options.takeTimeoutMs ?? 5000 },
      );
      return msg.json<TakePoolReply>().taken;
    } catch (error) {
      // Gone before its heartbeats expired (a SIGKILL): no more pools are offered to it.
      if (error instanceof RequestError && error.isNoResponders()) {
        this.membership.forget(to);
        return false;
      }
      throw error;
    }
  }

  /** Takes a pool another replica offers, unless this one is already at its cap. */
  private async take(request: TakePoolRequest): Promise<TakePoolReply> {
    if (this.stopped) return { taken: false, reason: 'stopping' };
    const shares = this.membership.shares();
    const mine = this.leadership.ledPools.length;
    // A pool handed over is still in its giver's count; one nobody led is in none yet.
    if (mine + 1 > shareCap(shares, request.unled ? 1 : 0)) {
      return { taken: false, reason: 'at its share' };
    }
    return (await this.leadership.take(request.pool))
      ? { taken: true }
      : { taken: false, reason: 'the lock is held' };
  }
}
