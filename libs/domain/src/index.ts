// Public surface of @pool/domain: pure types and functions, no I/O.
export * from './core/index.js';
export * from './net/index.js';
export type * from './pool/pool.commands.js';
export { poolDecider, poolStreamId, replayPool } from './pool/pool.decider.js';
export { decide as decidePool } from './pool/pool.decide.js';
export { evolve as evolvePool } from './pool/pool.evolve.js';
export { POOL_ERROR_KINDS, type PoolError, type PoolErrorCode } from './pool/pool.errors.js';
export * from './pool/pool.events.js';
export * from './pool/pool.snapshot.js';
export { initialPoolState, type PoolIndexes, type PoolState } from './pool/pool.state.js';
export * from './pool/pool.types.js';
export * from './pool/pool.upcasters.js';
export {
  overlayOverhead,
  tunnelEndpoints,
  underlayFigures,
  type TunnelEndpoint,
  type UnderlayFigures,
} from './pool/slices/overlay.decide.js';
export {
  ID_PATTERN,
  isValidId,
  isValidPoolId,
  POOL_ID_PATTERN,
  POOL_ID_RULE,
} from './pool/pool.validation.js';
export * from './pool/pool.diff.js';
export * from './pool/pool.export.js';
