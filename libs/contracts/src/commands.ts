import { type BatchSummary } from './batches.js';

/**
 * The reply to a command on every transport. Over NATS the body is JSON of this shape; over
 * REST the same fields with an HTTP status; over gRPC the `CommandReply` message.
 */
export type CommandReply = { ok: true; result: CommandOutcome } | { ok: false; error: WireError };

export interface CommandOutcome {
  pool: string;
  commandId: string;
  /** The pool's version after this command (for `If-Match` and `?wait=hosts`). */
  version: number;
  /** The first version this command wrote (`version + 1` when it wrote nothing). */
  firstVersion: number;
  /** The events written, in order: they carry what the pool generated (ids, MACs). */
  events: { type: string; version: number; data: unknown }[];
  /** True when this command id had already been applied: nothing was written this time. */
  duplicate: boolean;
  /** Enabled hosts at this version: the ones `?wait=hosts` waits for. */
  enabledHosts: string[];
  /** Set when the caller waited for the hosts: each enabled host's applied version. */
  hosts?: Record<string, number>;
  /**
   * With `hosts`, when any: VIFs whose port on a host waits for its device because the
   * hypervisor has not plugged the VM's NIC there yet (or unplugged it). The host applied the
   * version all the same; the port forwards, with its settings, as soon as the device appears.
   */
  notPlugged?: { hostId: string; vifId: string }[];
  /** For a batch (`ApplyChanges`, `RevertPool`, `ImportPool`): what it applied and left out. */
  batch?: BatchSummary;
}

/** A refusal or failure, identical on every transport. */
export interface WireError {
  /** HTTP-equivalent status: 400 invalid, 404 unknown id, 409 conflict, 412 stale version… */
  status: number;
  /** Machine-readable, stable: e.g. `MAC_IN_USE`, `VLAN_OUT_OF_RANGE`. */
  code: string;
  message: string;
  details?: Record<string, unknown>;
}

/** What a command request carries besides its payload, on every transport. */
export interface CommandEnvelope {
  /** Retries with the same id are applied once (REST: `Idempotency-Key`). */
  commandId?: string;
  /** Refuse unless the pool is at this version (REST: `If-Match`). */
  expectedVersion?: number;
  /** Return only once every enabled host applied the command (REST: `?wait=hosts`). */
  wait?: 'hosts';
  waitTimeoutMs?: number;
  actor?: string;
}
