import type { CreateMirror, DeleteMirror } from '../pool.commands.js';
import { poolError } from '../pool.errors.js';
import { poolEvent, type PoolEvent } from '../pool.events.js';
import type { PoolState } from '../pool.state.js';
import { MIRROR_DIRECTIONS } from '../pool.types.js';
import { requireOneOf } from '../pool.validation.js';
import { getMirror, getVif, requireNewId, requireScope } from './lookups.js';

/** The destination must not be part of what it watches, or it would mirror its own copies. */
export const createMirror = ({ data }: CreateMirror, state: PoolState): PoolEvent[] => {
  const mirrorId = requireNewId('MIRROR', state.mirrors, 'mirrorId', data.mirrorId);
  const source = requireScope(state, 'source', data.source);
  const direction = requireOneOf('direction', data.direction, MIRROR_DIRECTIONS);
  const destination = getVif(state, data.destinationVifId);
  const loops =
    source.kind === 'vif'
      ? source.vifId === destination.id
      : source.networkId === destination.networkId;
  if (loops) {
    throw poolError('MIRROR_LOOP', `VIF ${destination.id} cannot receive a mirror of itself`, {
      destinationVifId: destination.id,
    });
  }
  return [
    poolEvent('MirrorCreated', { mirrorId, source, direction, destinationVifId: destination.id }),
  ];
};

export const deleteMirror = ({ data }: DeleteMirror, state: PoolState): PoolEvent[] => {
  const mirror = getMirror(state, data.mirrorId);
  return [poolEvent('MirrorDeleted', { mirrorId: mirror.id })];
};
