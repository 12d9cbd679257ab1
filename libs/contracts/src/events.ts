/** What the relay publishes on `<root>.<pool>.events` for every committed event (DESIGN §4). */
export interface EventEnvelope {
  /** The event id; also the `Nats-Msg-Id`. */
  id: string;
  pool: string;
  /** The pool stream's version this event took (1, 2, …): consumers apply in this order. */
  version: number;
  /** Commit-order position in the whole log, `epoch:xid:position`. */
  position: string;
  type: string;
  schemaVersion: number;
  data: unknown;
  metadata: Record<string, unknown>;
  createdAt: string;
}

/** A pool's stream in the log is `pool:<pool id>` (the domain's decider names it the same way). */
export const POOL_STREAM_PREFIX = 'pool:';
export const poolStreamId = (poolId: string): string => `${POOL_STREAM_PREFIX}${poolId}`;
export const poolIdOfStream = (streamId: string): string | undefined =>
  streamId.startsWith(POOL_STREAM_PREFIX) ? streamId.slice(POOL_STREAM_PREFIX.length) : undefined;
