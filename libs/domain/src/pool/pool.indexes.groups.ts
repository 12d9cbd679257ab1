import { addTo, removeFrom } from './pool.indexes.js';
import { holdName, releaseName, type PoolState } from './pool.state.js';
import type { AddressSet, SecurityGroup } from './pool.types.js';

/*
 * Address sets and security groups with their index entries, in place, as pool.indexes.ts does
 * for the other entities (shared by evolve and snapshot loading).
 */

export const putAddressSet = (state: PoolState, set: AddressSet): void => {
  state.addressSets.set(set.id, set);
  holdName(state.indexes.addressSetByName, set.name, set.id);
};

export const dropAddressSet = (state: PoolState, set: AddressSet): void => {
  state.addressSets.delete(set.id);
  releaseName(state.indexes.addressSetByName, state.addressSets, set.name, set.id);
};

export const putSecurityGroup = (state: PoolState, group: SecurityGroup): void => {
  state.securityGroups.set(group.id, group);
  holdName(state.indexes.securityGroupByName, group.name, group.id);
  for (const vifId of group.vifIds) addTo(state.indexes.groupsByVif, vifId, group.id);
};

export const dropSecurityGroup = (state: PoolState, group: SecurityGroup): void => {
  state.securityGroups.delete(group.id);
  releaseName(state.indexes.securityGroupByName, state.securityGroups, group.name, group.id);
  for (const vifId of group.vifIds) removeFrom(state.indexes.groupsByVif, vifId, group.id);
};

/** Where `vifId` sits in the sorted member list: its index, or where it would go. */
const memberSlot = (vifIds: readonly string[], vifId: string): number => {
  let low = 0;
  let high = vifIds.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((vifIds[mid] as string) < vifId) low = mid + 1;
    else high = mid;
  }
  return low;
};

/** Keeps `vifIds` sorted without re-sorting, so a group of thousands joins one by one cheaply. */
export const addMember = (state: PoolState, group: SecurityGroup, vifId: string): void => {
  const slot = memberSlot(group.vifIds, vifId);
  if (group.vifIds[slot] === vifId) return;
  group.vifIds.splice(slot, 0, vifId);
  addTo(state.indexes.groupsByVif, vifId, group.id);
};

export const removeMember = (state: PoolState, group: SecurityGroup, vifId: string): void => {
  const slot = memberSlot(group.vifIds, vifId);
  if (group.vifIds[slot] !== vifId) return;
  group.vifIds.splice(slot, 1);
  removeFrom(state.indexes.groupsByVif, vifId, group.id);
};
