/** Expected state of a stream before an append (KurrentDB's four modes, all enforced in SQL). */
export type ExpectedVersion = 'any' | 'no_stream' | 'stream_exists' | number;

export interface NewEvent {
  /** Defaults to a random UUID; also the `Nats-Msg-Id` the relay publishes with. */
  eventId?: string;
  type: string;
  schemaVersion?: number;
  data: unknown;
  metadata?: Record<string, unknown>;
}

export interface AppendRequest {
  streamId: string;
  events: NewEvent[];
  expectedVersion?: ExpectedVersion;
  /**
   * Idempotency: the command ids whose events these are, in order, each with its event count.
   * A request whose command ids are all stored returns the stored result and writes nothing.
   * A fingerprint binds the id to what was asked: a stored id with another fingerprint (or on
   * another stream) refuses the request with `IdempotencyKeyReusedError`.
   */
  commands?: { commandId: string; eventCount: number; fingerprint?: string }[];
}

export interface CommandResult {
  commandId: string;
  streamId: string;
  firstVersion: number;
  lastVersion: number;
}

/** A command id as the log stored it; `fingerprint` is null for ids stored without one. */
export interface StoredCommand extends CommandResult {
  fingerprint: string | null;
}

export interface AppendResult {
  streamId: string;
  /** True when every command id was already stored: nothing was written this time. */
  duplicate: boolean;
  /** The stream's version after the append (for a duplicate: the last version of its commands). */
  nextExpectedVersion: number;
  firstVersion: number;
  /** Global positions of the appended events, as strings (int8). Empty for a duplicate. */
  positions: string[];
  transactionId?: string;
  commands: CommandResult[];
}

/** A position in the log's commit order: `(log_epoch, transaction_id, global_position)`. */
export interface LogPosition {
  epoch: number;
  transactionId: string;
  globalPosition: string;
}

export const LOG_START: LogPosition = Object.freeze({
  epoch: 0,
  transactionId: '0',
  globalPosition: '0',
});

export interface RecordedEvent {
  eventId: string;
  streamId: string;
  streamVersion: number;
  type: string;
  schemaVersion: number;
  data: unknown;
  metadata: Record<string, unknown>;
  position: LogPosition;
  createdAt: string;
}
