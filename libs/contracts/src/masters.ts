/**
 * What pool-master replicas say to each other to share the pools' leadership
 * (`subjects().masterHeartbeat`, `subjects().takePool`).
 */

/** Sent every second by each replica; `leaving` once, as it shuts down. */
export interface MasterHeartbeat {
  replica: string;
  /** Pools this replica leads now. */
  led: number;
  leaving?: boolean;
}

/**
 * The replica `from` released `pool` and asks the receiver to lead it; `unled`: nobody led it
 * (it is in no replica's count yet).
 */
export interface TakePoolRequest {
  pool: string;
  from: string;
  unled?: boolean;
}

/** `taken`: the receiver holds the pool's lock and answers for it; otherwise why not. */
export type TakePoolReply = { taken: true } | { taken: false; reason: string };
