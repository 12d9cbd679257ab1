import {
  decidePool,
  deserializePoolState,
  evolvePool,
  initialPoolState,
  POOL_STATE_VERSION,
  serializePoolState,
  upcastPoolEvent,
  type PoolCommand,
  type PoolEvent,
  type PoolState,
} from '@pool/domain';
import { type PoolModel } from './pool-model.js';

/** The pool decider, as the write path uses it. */
export const poolDomainModel: PoolModel<PoolCommand, PoolEvent, PoolState> = {
  initialState: initialPoolState,
  decide: decidePool,
  evolve: evolvePool,
  upcast: upcastPoolEvent,
  stateVersion: POOL_STATE_VERSION,
  serialize: serializePoolState,
  deserialize: deserializePoolState,
  enabledHosts: (state) =>
    [...state.hosts.values()].filter((h) => h.state === 'enabled').map((h) => h.id),
};
