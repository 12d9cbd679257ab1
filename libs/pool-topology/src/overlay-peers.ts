import type { Host, Migration, PoolState, Vif, Vm } from '@pool/domain';

/**
 * What a host needs, besides its own VMs, to derive its tunnels: for each overlay network it
 * carries, the other hosts with a VM on it (or migrating on or off it), those VMs, their VIFs on
 * the network and their migrations, so `overlayCarriers` (libs/vswitch) finds the same mesh as
 * it does over the whole pool. Costs the VIFs of those networks, not the pool's.
 */
export function overlayPeers(
  state: PoolState,
  hostId: string,
  networkIds: Iterable<string>,
  localVms: ReadonlySet<string>,
): { hosts: Host[]; vms: Vm[]; vifs: Vif[]; migrations: Migration[] } {
  const hosts = new Map<string, Host>();
  const vms = new Map<string, Vm>();
  const vifs: Vif[] = [];
  const migrations = new Map<string, Migration>();
  for (const networkId of networkIds) {
    if (state.networks.get(networkId)?.kind !== 'overlay') continue;
    for (const vifId of state.indexes.vifsByNetwork.get(networkId) ?? []) {
      const vif = state.vifs.get(vifId);
      const vm = vif && state.vms.get(vif.vmId);
      if (!vif || !vm || vm.powerState !== 'running') continue;
      const migrationId = state.indexes.migrationByVm.get(vm.id);
      const migration = migrationId === undefined ? undefined : state.migrations.get(migrationId);
      const on = [vm.residentHostId, migration?.fromHostId, migration?.toHostId];
      for (const id of on) {
        const host = id == null || id === hostId ? undefined : state.hosts.get(id);
        if (host) hosts.set(host.id, host);
      }
      // A VM of this host is in its topology already; a migration's other end is a peer.
      if (localVms.has(vm.id)) continue;
      vms.set(vm.id, vm);
      vifs.push(vif);
      if (migration) migrations.set(migration.id, migration);
    }
  }
  return {
    hosts: [...hosts.values()],
    vms: [...vms.values()],
    vifs,
    migrations: [...migrations.values()],
  };
}
