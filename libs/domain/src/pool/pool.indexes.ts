import {
  aclSlotKey,
  hostKey,
  ipKey,
  holdName,
  releaseName,
  scopeKey,
  uplinkKey,
  type PoolState,
} from './pool.state.js';
import type { AclRule, Bond, Host, Migration, Mirror, Network, Vif, Vm } from './pool.types.js';

/*
 * Put and drop each entity together with its index entries, in place. Shared by evolve and by
 * snapshot loading, so the indexes can never disagree with the entities.
 */

export const addTo = <K, V>(map: Map<K, Set<V>>, key: K, value: V): void => {
  const set = map.get(key);
  if (set) set.add(value);
  else map.set(key, new Set([value]));
};

export const removeFrom = <K, V>(map: Map<K, Set<V>>, key: K, value: V): void => {
  const set = map.get(key);
  if (set?.delete(value) && set.size === 0) map.delete(key);
};

export const putHost = (state: PoolState, host: Host): void => {
  state.hosts.set(host.id, host);
};

export const dropHost = (state: PoolState, host: Host): void => {
  for (const device of host.pifs.keys()) {
    const bondId = state.indexes.bondByMember.get(hostKey(host.id, device));
    const bond = bondId === undefined ? undefined : state.bonds.get(bondId);
    if (bond) dropBond(state, bond);
  }
  state.hosts.delete(host.id);
};

export const putBond = (state: PoolState, bond: Bond): void => {
  const { indexes } = state;
  state.bonds.set(bond.id, bond);
  indexes.bondByDevice.set(hostKey(bond.hostId, bond.device), bond.id);
  for (const member of bond.members) {
    indexes.bondByMember.set(hostKey(bond.hostId, member), bond.id);
    addTo(indexes.bondMemberHosts, member, bond.hostId);
  }
};

export const dropBond = (state: PoolState, bond: Bond): void => {
  const { indexes } = state;
  state.bonds.delete(bond.id);
  indexes.bondByDevice.delete(hostKey(bond.hostId, bond.device));
  for (const member of bond.members) {
    indexes.bondByMember.delete(hostKey(bond.hostId, member));
    removeFrom(indexes.bondMemberHosts, member, bond.hostId);
  }
};

export const putNetwork = (state: PoolState, network: Network): void => {
  const { indexes } = state;
  state.networks.set(network.id, network);
  holdName(indexes.networkByName, network.name, network.id);
  if (network.kind === 'external') {
    indexes.networkByUplink.set(uplinkKey(network.device, network.vlan), network.id);
    addTo(indexes.networksByDevice, network.device, network.id);
  }
};

export const renameNetwork = (state: PoolState, network: Network, name: string): void => {
  releaseName(state.indexes.networkByName, state.networks, network.name, network.id);
  network.name = name;
  holdName(state.indexes.networkByName, name, network.id);
};

export const dropNetwork = (state: PoolState, network: Network): void => {
  const { indexes } = state;
  state.networks.delete(network.id);
  releaseName(indexes.networkByName, state.networks, network.name, network.id);
  if (network.kind === 'external') {
    indexes.networkByUplink.delete(uplinkKey(network.device, network.vlan));
    removeFrom(indexes.networksByDevice, network.device, network.id);
  }
};

export const putVm = (state: PoolState, vm: Vm): void => {
  state.vms.set(vm.id, vm);
  if (vm.residentHostId !== null) addTo(state.indexes.runningVmsByHost, vm.residentHostId, vm.id);
};

/** Moves a VM to `hostId` (running there) or, with `null`, halts it. */
export const placeVm = (state: PoolState, vm: Vm, hostId: string | null): void => {
  if (vm.residentHostId !== null)
    removeFrom(state.indexes.runningVmsByHost, vm.residentHostId, vm.id);
  vm.residentHostId = hostId;
  vm.powerState = hostId === null ? 'halted' : 'running';
  if (hostId !== null) addTo(state.indexes.runningVmsByHost, hostId, vm.id);
};

export const dropVm = (state: PoolState, vm: Vm): void => {
  placeVm(state, vm, null);
  state.vms.delete(vm.id);
  state.indexes.vifsByVm.delete(vm.id);
};

const indexAddresses = (state: PoolState, vif: Vif, present: boolean): void => {
  for (const ip of [vif.ipv4, vif.ipv6, ...vif.extraIps]) {
    if (ip === null) continue;
    const key = ipKey(vif.networkId, ip);
    if (present) state.indexes.vifByIp.set(key, vif.id);
    else state.indexes.vifByIp.delete(key);
  }
};

export const putVif = (state: PoolState, vif: Vif): void => {
  const { indexes } = state;
  state.vifs.set(vif.id, vif);
  indexes.vifByMac.set(vif.mac, vif.id);
  indexAddresses(state, vif, true);
  addTo(indexes.vifsByNetwork, vif.networkId, vif.id);
  const byDevice = indexes.vifsByVm.get(vif.vmId);
  if (byDevice) byDevice.set(vif.device, vif.id);
  else indexes.vifsByVm.set(vif.vmId, new Map([[vif.device, vif.id]]));
};

/** The VIF's own addresses (indexed, unique on its network) and its pairs (not indexed). */
export const setVifAddresses = (
  state: PoolState,
  vif: Vif,
  addresses: Pick<Vif, 'ipv4' | 'ipv6' | 'extraIps' | 'allowedPairs'>,
): void => {
  indexAddresses(state, vif, false);
  vif.ipv4 = addresses.ipv4;
  vif.ipv6 = addresses.ipv6;
  vif.extraIps = [...addresses.extraIps];
  vif.allowedPairs = addresses.allowedPairs.map((pair) => ({ ...pair }));
  indexAddresses(state, vif, true);
};

export const dropVif = (state: PoolState, vif: Vif): void => {
  const { indexes } = state;
  state.vifs.delete(vif.id);
  indexes.vifByMac.delete(vif.mac);
  indexAddresses(state, vif, false);
  removeFrom(indexes.vifsByNetwork, vif.networkId, vif.id);
  const byDevice = indexes.vifsByVm.get(vif.vmId);
  byDevice?.delete(vif.device);
  if (byDevice?.size === 0) indexes.vifsByVm.delete(vif.vmId);
};

/** The index of the rules naming the same remote set or group as `rule`, if it names one. */
const remoteIndex = (
  state: PoolState,
  rule: AclRule,
): [Map<string, Set<string>>, string] | null => {
  const { addressSetId, remoteGroupId } = rule.match;
  if (addressSetId !== null) return [state.indexes.aclRulesByAddressSet, addressSetId];
  if (remoteGroupId !== null) return [state.indexes.aclRulesByRemoteGroup, remoteGroupId];
  return null;
};

export const putAclRule = (state: PoolState, rule: AclRule): void => {
  state.aclRules.set(rule.id, rule);
  const remote = remoteIndex(state, rule);
  if (remote) addTo(remote[0], remote[1], rule.id);
  addTo(
    state.indexes.aclRulesBySlot,
    aclSlotKey(rule.scope, rule.direction, rule.priority),
    rule.id,
  );
  addTo(state.indexes.aclRulesByScope, scopeKey(rule.scope), rule.id);
};

export const dropAclRule = (state: PoolState, rule: AclRule): void => {
  state.aclRules.delete(rule.id);
  const remote = remoteIndex(state, rule);
  if (remote) removeFrom(remote[0], remote[1], rule.id);
  removeFrom(
    state.indexes.aclRulesBySlot,
    aclSlotKey(rule.scope, rule.direction, rule.priority),
    rule.id,
  );
  removeFrom(state.indexes.aclRulesByScope, scopeKey(rule.scope), rule.id);
};

const mirrorScopes = (mirror: Mirror): string[] => [
  scopeKey(mirror.source),
  scopeKey({ kind: 'vif', vifId: mirror.destinationVifId }),
];

export const putMirror = (state: PoolState, mirror: Mirror): void => {
  state.mirrors.set(mirror.id, mirror);
  for (const key of mirrorScopes(mirror)) addTo(state.indexes.mirrorsByScope, key, mirror.id);
};

export const dropMirror = (state: PoolState, mirror: Mirror): void => {
  state.mirrors.delete(mirror.id);
  for (const key of mirrorScopes(mirror)) removeFrom(state.indexes.mirrorsByScope, key, mirror.id);
};

export const putMigration = (state: PoolState, migration: Migration): void => {
  state.migrations.set(migration.id, migration);
  state.indexes.migrationByVm.set(migration.vmId, migration.id);
};

export const dropMigration = (state: PoolState, migration: Migration): void => {
  state.migrations.delete(migration.id);
  state.indexes.migrationByVm.delete(migration.vmId);
};
