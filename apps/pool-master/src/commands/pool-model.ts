/**
 * What the write path needs from a pool's domain model. The pool decider implements it; tests
 * may plug a smaller model in.
 */
export interface PoolModel<Command, Event, State> {
  initialState(): State;
  decide(command: Command, state: State): Event[];
  /** May update `state` in place and return it: the caller treats the old state as consumed. */
  evolve(state: State, event: Event): State;
  upcast(stored: { type: string; schemaVersion: number; data: unknown }): Event;
  /** Tags snapshots; a snapshot written by other code is ignored. */
  stateVersion: string;
  serialize(state: State): unknown;
  deserialize(json: unknown): State;
  /** Hosts a `?wait=hosts` barrier waits for. */
  enabledHosts(state: State): string[];
}

export interface ModelEvent {
  type: string;
  schemaVersion: number;
  data: unknown;
}
