import type { Decider } from '../core/decider.js';
import type { PoolCommand } from './pool.commands.js';
import { decide } from './pool.decide.js';
import { evolve } from './pool.evolve.js';
import type { PoolEvent } from './pool.events.js';
import { initialPoolState, type PoolState } from './pool.state.js';

/** One pool = one event stream. */
export const poolStreamId = (poolId: string): string => `pool:${poolId}`;

/**
 * The pool decider. Note that `evolve` changes the state in place (see pool.evolve.ts): hold
 * one state per stream, and snapshot it (serializePoolState) before evolving if the old one is
 * still needed, for example to roll back after a failed append.
 */
export const poolDecider: Decider<PoolCommand, PoolEvent, PoolState> = {
  decide,
  evolve,
  initialState: initialPoolState,
};

/** Folds events into `state` (a fresh one by default), in place. */
export const replayPool = (
  events: Iterable<PoolEvent>,
  state: PoolState = initialPoolState(),
): PoolState => {
  for (const event of events) evolve(state, event);
  return state;
};
