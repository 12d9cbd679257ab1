import type { EventEnvelope } from '@pool/contracts';
import type { PoolState } from '@pool/domain';

/** One message of the pool's events subject. */
export interface FeedMessage {
  /** Its sequence in the events stream. */
  seq: number;
  /** Messages of the pool still to be delivered to this reader after this one. */
  pending: number;
  redelivered: boolean;
  /** Undefined when the payload is not one of this pool's events (see `problem`). */
  envelope?: EventEnvelope;
  /** The envelope's JSON as received: journaled as it is, rather than serialized again. */
  raw?: string;
  problem?: string;
  /** The log the relay read it from (its `Poolnet-Log-Id` header); absent from older relays. */
  logId?: string;
  /** Acknowledges it to the durable consumer; a no-op when replaying. */
  ack(): void;
}

export interface LiveFeed extends AsyncIterable<FeedMessage> {
  stop(): void;
}

/** The pool's events as the host reads them (JetStream in production, arrays in tests). */
export interface EventFeed {
  /** The stream's first and last sequence (every pool's messages count). */
  bounds(): Promise<{ firstSeq: number; lastSeq: number }>;
  /**
   * Every message of the pool after `afterSeq`, in order and in batches, until none is
   * pending: the fast path for a host that is behind (no acks, no server-side state).
   */
  replay(afterSeq: number, signal: AbortSignal): AsyncIterable<FeedMessage[]>;
  /** The host's durable consumer, positioned right after `afterSeq`, one message at a time. */
  follow(afterSeq: number): Promise<LiveFeed>;
}

/** The master's snapshot subject. */
export interface SnapshotSource {
  /** `logId`: the log the master read the state from (absent from older masters). */
  fetch(): Promise<{ version: number; state: PoolState; logId?: string }>;
}
