/**
 * The decider pattern: `decide` turns a command into events (or throws a `DomainError`) and
 * never changes `state`; `evolve` folds one event into the state; `initialState` starts a stream.
 *
 * A decider MAY evolve in place and return the same object (the pool decider does, for speed):
 * callers must treat the state they passed to `evolve` as consumed.
 */
export interface Decider<Command, Event, State> {
  decide(command: Command, state: State): Event[];
  evolve(state: State, event: Event): State;
  initialState(): State;
}
