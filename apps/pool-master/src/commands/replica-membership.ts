import { type NatsConnection, type Subscription } from '@nats-io/transport-node';
import { subjects, type MasterHeartbeat } from '@pool/contracts';

export interface MembershipOptions {
  nc: NatsConnection;
  subjectRoot: string;
  replicaId: string;
  /** Pools this replica leads now (sent in each heartbeat). */
  led: () => number;
  heartbeatMs?: number;
  /** A replica not heard from for this long is taken for gone. */
  expireMs?: number;
  onError?: (error: unknown) => void;
}

interface Seen {
  led: number;
  firstAt: number;
  lastAt: number;
}

/**
 * The live pool-master replicas and how many pools each leads, from heartbeats over NATS: the
 * replicas only need it to share the leadership, never for safety (the advisory locks and the
 * log's expected version are the fence), so a missed heartbeat costs a late rebalance, not a
 * wrong write.
 */
export class ReplicaMembership {
  private readonly seen = new Map<string, Seen>();
  private subscription: Subscription | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: MembershipOptions) {}

  start(): void {
    const subject = subjects(this.options.subjectRoot).masterHeartbeat;
    this.subscription = this.options.nc.subscribe(subject, {
      callback: (error, msg) => {
        if (error) return this.options.onError?.(error);
        try {
          this.heard(msg.json<MasterHeartbeat>());
        } catch (bad) {
          this.options.onError?.(bad);
        }
      },
    });
    this.beat();
    this.timer = setInterval(() => this.beat(), this.options.heartbeatMs ?? 1000);
    this.timer.unref();
  }

  /**
   * Pools led per live replica that has been up for at least `settledMs` (this one always,
   * with its count of now): a replica just started is given pools once it is surely serving.
   */
  shares(settledMs = 0): Map<string, number> {
    const now = Date.now();
    const expire = this.options.expireMs ?? 3500;
    const shares = new Map<string, number>();
    for (const [replica, seen] of this.seen) {
      if (now - seen.lastAt > expire) this.seen.delete(replica);
      else if (now - seen.firstAt >= settledMs) shares.set(replica, seen.led);
    }
    shares.set(this.options.replicaId, this.options.led());
    return shares;
  }

  /** Stops counting on a replica that did not answer, until it is heard from again. */
  forget(replica: string): void {
    this.seen.delete(replica);
  }

  /** Says goodbye, so the others stop counting on this replica at once. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    if (!this.subscription) return;
    this.publish({ replica: this.options.replicaId, led: 0, leaving: true });
    this.subscription.unsubscribe();
    this.subscription = undefined;
    await this.options.nc.flush().catch(() => undefined);
  }

  private beat(): void {
    this.publish({ replica: this.options.replicaId, led: this.options.led() });
  }

  private publish(heartbeat: MasterHeartbeat): void {
    try {
      this.options.nc.publish(
        subjects(this.options.subjectRoot).masterHeartbeat,
        JSON.stringify(heartbeat),
      );
    } catch (error) {
      this.options.onError?.(error);
    }
  }

  private heard(heartbeat: MasterHeartbeat): void {
    if (heartbeat.replica === this.options.replicaId) return;
    if (heartbeat.leaving) {
      this.seen.delete(heartbeat.replica);
      return;
    }
    const now = Date.now();
    const before = this.seen.get(heartbeat.replica);
    this.seen.set(heartbeat.replica, {
      led: heartbeat.led,
      firstAt: before?.firstAt ?? now,
      lastAt: now,
    });
  }
}
