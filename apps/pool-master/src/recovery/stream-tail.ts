import { type EventEnvelope } from '@pool/contracts';
import { upcastPoolEvent } from '@pool/domain';
import { type NewEvent } from '@pool/event-store';

/*
 * After a restore from a physical backup the log is behind, but the events stream still holds
 * what the relay published after the backup, each message stamped with the log's identity.
 * `planTail` decides, for one pool, which of those messages can be appended back: the ones of
 * this log, above the log's head, contiguous from head + 1, tied to the log by the head's event
 * id, and readable by the domain (its upcasters). Anything else refuses the pool.
 */

/** One message of the pool's events subject, as read back from the stream. */
export interface TailMessage {
  seq: number;
  /** Its `Poolnet-Log-Id` header; absent from relays older than log identities. */
  logId?: string;
  envelope?: EventEnvelope;
  /** Why the payload is not an envelope of this pool. */
  problem?: string;
}

export type TailRefusal =
  /** The log holds versions the stream does not: the log moved on after the restore. */
  | 'log-past'
  /** The stream's event at the log's head is another event: two histories. */
  | 'diverged'
  /** The stream lacks the log's head version (retention), so the tail cannot be tied to it. */
  | 'untied'
  /** Two different events of this log for one version above the head. */
  | 'conflict'
  /** A version between the head and the stream's head is missing. */
  | 'gap'
  /** An event of the tail the domain cannot read (unknown type or schema version). */
  | 'undecodable';

export interface TailPlan {
  pool: string;
  logHead: number;
  /** The highest version of this log the stream holds for the pool (0: none). */
  streamHead: number;
  /** Events to append, in version order (empty when refused or up to date). */
  events: EventEnvelope[];
  refused?: { reason: TailRefusal; detail: string };
  /** Messages of another log, or without a log id (older relays): never recovered. */
  otherLogMessages: number;
  undecodableMessages: number;
}

export interface LogHead {
  version: number;
  /** The event id at `version` (undefined for an empty stream). */
  eventId: string | undefined;
}

export function planTail(
  pool: string,
  logId: string,
  head: LogHead,
  messages: readonly TailMessage[],
): TailPlan {
  const plan: TailPlan = {
    pool,
    logHead: head.version,
    streamHead: 0,
    events: [],
    otherLogMessages: 0,
    undecodableMessages: 0,
  };
  const refuse = (reason: TailRefusal, detail: string): TailPlan => {
    plan.refused = { reason, detail };
    return plan;
  };
  // Version → the first message of this log with it (republished copies share its id).
  const byVersion = new Map<number, EventEnvelope>();
  for (const m of messages) {
    if (m.logId !== logId) {
      plan.otherLogMessages++;
      continue;
    }
    if (!m.envelope) {
      plan.undecodableMessages++;
      continue;
    }
    const e = m.envelope;
    const seen = byVersion.get(e.version);
    if (seen && seen.id !== e.id && e.version > head.version) {
      return refuse('conflict', `version ${e.version} is event ${seen.id} and event ${e.id}`);
    }
    if (!seen) byVersion.set(e.version, e);
    plan.streamHead = Math.max(plan.streamHead, e.version);
  }
  if (plan.streamHead === 0) return plan;
  if (plan.streamHead < head.version) {
    return refuse(
      'log-past',
      `the log is at version ${head.version}, past the stream's ${plan.streamHead}`,
    );
  }
  if (head.version > 0) {
    const atHead = byVersion.get(head.version);
    if (!atHead) {
      if (plan.streamHead === head.version) return plan;
      return refuse('untied', `the stream no longer holds the log's head, version ${head.version}`);
    }
    if (atHead.id !== head.eventId) {
      return refuse(
        'diverged',
        `version ${head.version} is event ${String(head.eventId)} in the log, ${atHead.id} in the stream`,
      );
    }
  }
  const events: EventEnvelope[] = [];
  for (let v = head.version + 1; v <= plan.streamHead; v++) {
    const e = byVersion.get(v);
    if (!e) return refuse('gap', `version ${v} is missing from the stream`);
    try {
      upcastPoolEvent({ type: e.type, schemaVersion: e.schemaVersion, data: e.data });
    } catch (error) {
      return refuse('undecodable', `version ${v}: ${(error as Error).message}`);
    }
    events.push(e);
  }
  plan.events = events;
  return plan;
}

/**
 * The tail as the log's append takes it: event ids, types, schema versions, data and metadata
 * as published (the relay republishes them with the same `Nats-Msg-Id`), and the command ids
 * their metadata names, so a client retrying one of those commands gets its stored result.
 */
export function toAppend(events: readonly EventEnvelope[]): {
  events: NewEvent[];
  commands?: { commandId: string; eventCount: number }[];
} {
  const out: NewEvent[] = events.map((e) => ({
    eventId: e.id,
    type: e.type,
    schemaVersion: e.schemaVersion,
    data: e.data,
    metadata: e.metadata,
  }));
  const commands: { commandId: string; eventCount: number }[] = [];
  for (const e of events) {
    const id = e.metadata?.['commandId'];
    if (typeof id !== 'string') return { events: out };
    const last = commands[commands.length - 1];
    if (last?.commandId === id) last.eventCount++;
    else if (commands.some((c) => c.commandId === id)) return { events: out };
    else commands.push({ commandId: id, eventCount: 1 });
  }
  return { events: out, commands };
}
