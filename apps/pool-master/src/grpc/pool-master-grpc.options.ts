/** What the gRPC slice needs from the pool master's config. */
export interface PoolMasterGrpcOptions {
  /** The NATS subject root (`poolnet`): FollowEvents wakes on `<root>.<pool>.events`. */
  subjectRoot: string;
  /** The longest FollowEvents waits before re-reading the log without a wake-up; ≤ 200 ms. */
  pollIntervalMs?: number;
  /** Events read from the log per query while catching up. */
  pageSize?: number;
  /** StateAt and Diff: the history snapshot interval (HISTORY_SNAPSHOT_EVERY). */
  historySnapshotEvery?: number;
}

export const POOL_MASTER_GRPC_OPTIONS = Symbol('POOL_MASTER_GRPC_OPTIONS');
