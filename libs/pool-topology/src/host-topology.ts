import type { PoolState, Scope } from '@pool/domain';
import type { PoolTopology } from '@pool/vswitch';
import { aclOf, hostOf, migrationOf, mirrorOf, networkOf, vifOf, vmOf } from './to-topology.js';

/**
 * The part of the pool one host's switches depend on: the host itself, every network (an
 * external one has a bridge wherever its uplink exists, VIFs or not), the VMs running on or
 * migrating to or from it, their VIFs, and the ACLs and mirrors that can land on those VIFs.
 *
 * `desiredState(hostTopology(s, h), h)` equals `desiredState(toTopology(s), h)` (a property
 * test holds it to that), at a cost that follows the host's own ports rather than the pool's:
 * a member host derives its switches after every event, in pools of 10,000+ VIFs.
 */
export function hostTopology(state: PoolState, hostId: string): PoolTopology {
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
  const covers = (scope: Scope) =>
    scope.kind === 'network' ? networkIds.has(scope.networkId) : vifIds.has(scope.vifId);

  return {
    hosts: [hostOf(state, host)],
    networks,
    vms: vms.map(vmOf),
    vifs: vifs.map(vifOf),
    acls: [...state.aclRules.values()].filter((rule) => covers(rule.scope)).map(aclOf),
    // A mirror is realised on the bridge of its destination port (libs/vswitch policy.ts).
    mirrors: [...state.mirrors.values()]
      .filter((mirror) => vifIds.has(mirror.destinationVifId))
      .map(mirrorOf),
    migrations: migrations.map(migrationOf),
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
});
