import type { EventEnvelope } from '@pool/contracts';
import {
  evolvePool,
  initialPoolState,
  upcastPoolEvent,
  type PoolEvent,
  type PoolState,
} from '@pool/domain';

/** What to do with an event of `version` when `applied` is the last version folded in. */
export type Verdict = 'duplicate' | 'next' | 'gap';

export const classify = (version: number, applied: number): Verdict =>
  version <= applied ? 'duplicate' : version === applied + 1 ? 'next' : 'gap';

/**
 * The host's own copy of its pool: the decider state with every event up to `version` folded
 * in, `seq`, the events stream's sequence up to which the host has read, and `logId`, the log
 * the events came from (undefined until one is seen: a replica saved by older code).
 */
export class PoolReplica {
  constructor(
    public state: PoolState = initialPoolState(),
    public version = 0,
    public seq = 0,
    public logId?: string,
  ) {}

  /** Folds in the next event; refuses any other version, so nothing is applied twice. */
  apply(envelope: Pick<EventEnvelope, 'version' | 'type' | 'schemaVersion' | 'data'>): PoolEvent {
    if (envelope.version !== this.version + 1) {
      throw new Error(`event ${envelope.version} does not follow version ${this.version}`);
    }
    const event = upcastPoolEvent(envelope);
    evolvePool(this.state, event);
    this.version = envelope.version;
    return event;
  }

  reset(state: PoolState, version: number, seq: number, logId?: string): void {
    this.state = state;
    this.version = version;
    this.seq = seq;
    this.logId = logId;
  }
}
