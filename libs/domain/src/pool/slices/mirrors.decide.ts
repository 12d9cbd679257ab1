import type { CreateMirror, DeleteMirror } from '../pool.commands.js';
import { poolError } from '../pool.errors.js';
import { poolEvent, type PoolEvent } from '../pool.events.js';
import type { PoolState } from '../pool.state.js';
import { MIRROR_DIRECTIONS, type Scope, type Vif } from '../pool.types.js';
import { requireOneOf } from '../pool.validation.js';
import { getMirror, getVif, requireNewId, requireScope } from './lookups.js';

/** Whether `scope` takes in `vif`: the VIF itself, its network, or a group it is in. */
export const scopeHolds = (state: PoolState, scope: Scope, vif: Vif): boolean => {
  switch (scope.kind) {
    case 'vif':
      return scope.vifId === vif.id;
    case 'network':
      return scope.networkId === vif.networkId;
    case 'group':
      return state.indexes.groupsByVif.get(vif.id)?.has(scope.groupId) ?? false;
  }
};

export const mirrorLoop = (vifId: string, mirrorId?: string) =>
  poolError('MIRROR_LOOP', `VIF ${vifId} cannot receive a mirror of itself`, {
    destinationVifId: vifId,
    ...(mirrorId === undefined ? {} : { mirrorId }),
  });

/**
 * The destination must not be part of what it watches, or it would mirror its own copies
 * (AddSecurityGroupMember keeps it so for groups).
 */
export const createMirror = ({ data }: CreateMirror, state: PoolState): PoolEvent[] => {
  const mirrorId = requireNewId('MIRROR', state.mirrors, 'mirrorId', data.mirrorId);
  const source = requireScope(state, 'source', data.source);
  const direction = requireOneOf('direction', data.direction, MIRROR_DIRECTIONS);
  const destination = getVif(state, data.destinationVifId);
  if (scopeHolds(state, source, destination)) throw mirrorLoop(destination.id);
  return [
    poolEvent('MirrorCreated', { mirrorId, source, direction, destinationVifId: destination.id }),
  ];
};

export const deleteMirror = ({ data }: DeleteMirror, state: PoolState): PoolEvent[] => {
  const mirror = getMirror(state, data.mirrorId);
  return [poolEvent('MirrorDeleted', { mirrorId: mirror.id })];
};
