import type { PoolState, Scope } from '@pool/domain';
import type { PoolTopology, TopologyHost } from '@pool/vswitch';
import {
  aclOf,
  addressSetOf,
  hostOf,
  migrationOf,
  peerHostOf,
  mirrorOf,
  networkOf,
  securityGroupOf,
  vifOf,
  vmOf,
} from './to-topology.js';
import { overlayRemotes } from './overlay-remotes.js';
import { mirrorPeers } from './mirror-peers.js';

/**
 * The part of the pool one host's switches depend on: the host itself, every network (an
 * external one has a bridge wherever its uplink exists, VIFs or not), the VMs running on or
 * migrating to or from it, their VIFs, the ACLs and mirrors that can land on those VIFs, the
 * security groups those VIFs are in, the other hosts of each overlay network it carries
 * (`overlayRemotes`, by `remotesOf`: a member host's derivation hands in the meshes it kept,
 * host-derivation.ts), the other end of each mirror with a source or the monitor here
 * (mirror-peers.ts),
 * and what those ACLs name as their remote side: address
 * sets, and groups with their members' VIFs (wherever they run; a VIF whose VM is not here gets
 * no port, it only lends its addresses).
 *
 * `desiredState(hostTopology(s, h), h)` equals `desiredState(toTopology(s), h)` (a property
 * test holds it to that), at a cost that follows the host's own ports rather than the pool's:
 * a member host derives its switches after every event, in pools of 10,000+ VIFs. A remote
 * group is the exception by nature: its addresses are every member's, pool-wide.
 */
export function hostTopology(
  state: PoolState,
  hostId: string,
  remotesOf: (networkId: string) => readonly TopologyHost[] = (networkId) =>
    overlayRemotes(state, hostId, networkId),
): PoolTopology {
  const host = state.hosts.get(hostId);
  const networks = [...state.networks.values()].map(networkOf);
  if (!host) return { ...emptyTopology(), networks };
  const vmIds = new Set(state.indexes.runningVmsByHost.get(hostId));
  const migrations = [...state.migrations.values()].filter(
    (m) => m.fromHostId === hostId || m.toHostId === hostId,
  );
  for (const migration of migrations) vmIds.add(migration.vmId);
  const vms = [...vmIds].flatMap((id) => state.vms.get(id) ?? []);
  const vifs = vms.flatMap((vm) =>
    [...(state.indexes.vifsByVm.get(vm.id)?.values() ?? [])].flatMap(
      (id) => state.vifs.get(id) ?? [],
    ),
  );
  const vifIds = new Set(vifs.map((vif) => vif.id));
  const networkIds = new Set(vifs.map((vif) => vif.networkId));
  const groupIds = new Set(
    [...vifIds].flatMap((id) => [...(state.indexes.groupsByVif.get(id) ?? [])]),
  );
  const covers = (scope: Scope) =>
    scope.kind === 'network'
      ? networkIds.has(scope.networkId)
      : scope.kind === 'vif'
        ? vifIds.has(scope.vifId)
        : groupIds.has(scope.groupId);
  const rules = [...state.aclRules.values()].filter((rule) => covers(rule.scope));
  const setIds = new Set(rules.flatMap((rule) => rule.match.addressSetId ?? []));
  const remoteGroups = new Set(rules.flatMap((rule) => rule.match.remoteGroupId ?? []));
  const lenders = [...remoteGroups]
    .flatMap((id) => state.securityGroups.get(id)?.vifIds ?? [])
    .filter((id) => !vifIds.has(id));
  const overlays = [...networkIds].filter((id) => state.networks.get(id)?.kind === 'overlay');
  const mirrored = mirrorPeers(state, vifIds, covers);
  const remoteVifs = [...new Set(lenders)].flatMap((id) => state.vifs.get(id) ?? []);
  return {
    hosts: byId([host, ...mirrored.hosts]).map((h) =>
      h === host ? hostOf(state, h) : peerHostOf(h),
    ),
    networks,
    vms: byId([...vms, ...mirrored.vms]).map(vmOf),
    vifs: byId([...vifs, ...remoteVifs, ...mirrored.vifs]).map(vifOf),
    acls: rules.map(aclOf),
    // A mirror's legs (libs/vswitch mirror-legs.ts) involve its monitor's host and its sources'.
    mirrors: mirrored.mirrors.map(mirrorOf),
    migrations: byId([...migrations, ...mirrored.migrations]).map(migrationOf),
    addressSets: [...setIds].flatMap((id) => state.addressSets.get(id) ?? []).map(addressSetOf),
    securityGroups: byId([
      ...[...new Set([...groupIds, ...remoteGroups])].flatMap(
        (id) => state.securityGroups.get(id) ?? [],
      ),
      ...mirrored.groups,
    ]).map(securityGroupOf),
    overlayRemotes: new Map(overlays.map((id) => [id, remotesOf(id)])),
  };
}

const emptyTopology = (): PoolTopology => ({
  hosts: [],
  networks: [],
  vms: [],
  vifs: [],
  acls: [],
  mirrors: [],
  migrations: [],
  addressSets: [],
  securityGroups: [],
});

/** The first of each id, in order: the same object may come in through several paths. */
function byId<T extends { id: string }>(items: T[]): T[] {
  const seen = new Map<string, T>();
  for (const item of items) if (!seen.has(item.id)) seen.set(item.id, item);
  return [...seen.values()];
}
