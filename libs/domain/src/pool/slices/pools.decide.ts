import type { CreatePool, RenamePool } from '../pool.commands.js';
import { alreadyExists } from '../pool.errors.js';
import { poolEvent, type PoolEvent } from '../pool.events.js';
import type { PoolState } from '../pool.state.js';
import { requireName, requirePoolId } from '../pool.validation.js';

export const createPool = ({ data, metadata }: CreatePool, state: PoolState): PoolEvent[] => {
  if (state.status !== 'Empty') throw alreadyExists('POOL', state.id);
  const poolId = requirePoolId('poolId', data.poolId);
  const name = requireName('name', data.name);
  return [poolEvent('PoolCreated', { poolId, name, createdAt: metadata.now })];
};

export const renamePool = ({ data }: RenamePool, state: PoolState): PoolEvent[] => {
  const name = requireName('name', data.name);
  return name === state.name ? [] : [poolEvent('PoolRenamed', { name })];
};
