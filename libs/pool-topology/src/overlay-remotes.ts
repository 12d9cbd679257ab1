import { portHosts } from '@pool/contracts';
import type { PoolState } from '@pool/domain';
import type { TopologyHost } from '@pool/vswitch';
import { peerHostOf } from './to-topology.js';

/**
 * The other hosts that carry overlay network `networkId`, as `hostId`'s tunnels need them: those
 * with a port for one of its VIFs (a running VM there, or a migration from or to there), not
 * ejected, with a tunnel endpoint; what `overlayCarriers` (libs/vswitch) finds over the whole
 * pool, in host id order. Costs the VIFs of that network, not the pool's; a member host keeps
 * the result from one event to the next while no event touches the mesh (host-derivation.ts).
 */
export function overlayRemotes(
  state: PoolState,
  hostId: string,
  networkId: string,
): TopologyHost[] {
  const ids = new Set<string>();
  for (const vifId of state.indexes.vifsByNetwork.get(networkId) ?? []) {
    const vm = state.vms.get(state.vifs.get(vifId)?.vmId ?? '');
    if (!vm) continue;
    const migrationId = state.indexes.migrationByVm.get(vm.id);
    const migration = migrationId === undefined ? undefined : state.migrations.get(migrationId);
    const placed = { powerState: vm.powerState, residentHost: vm.residentHostId };
    const moving = migration && {
      fromHost: migration.fromHostId,
      toHost: migration.toHostId,
      phase: migration.status,
    };
    for (const { hostId: id } of portHosts(placed, moving)) if (id !== hostId) ids.add(id);
  }
  return [...ids]
    .sort()
    .flatMap((id) => state.hosts.get(id) ?? [])
    .map(peerHostOf)
    .filter((host) => host.state !== 'ejected' && host.tunnel !== undefined);
}
