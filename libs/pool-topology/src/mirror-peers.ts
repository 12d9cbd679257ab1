import type { MirrorStatus } from '@pool/contracts';
import type {
  Host,
  Migration,
  Mirror,
  PoolState,
  Scope,
  SecurityGroup,
  Vif,
  Vm,
} from '@pool/domain';
import { mirrorStatuses, type PoolTopology } from '@pool/vswitch';
import { hostOf, migrationOf, mirrorOf, securityGroupOf, vifOf, vmOf } from './to-topology.js';

/** The two ends of some mirrors: their VIFs, with the VMs, migrations and hosts that place them. */
class MirrorEnds {
  readonly mirrors: Mirror[] = [];
  readonly vms = new Map<string, Vm>();
  readonly vifs = new Map<string, Vif>();
  readonly hosts = new Map<string, Host>();
  readonly migrations = new Map<string, Migration>();
  readonly groups = new Map<string, SecurityGroup>();

  constructor(private readonly state: PoolState) {}

  /** The mirror, its monitor VIF, and with `sources` every VIF in its scope. */
  add(mirror: Mirror, sources: boolean): void {
    const { state } = this;
    this.mirrors.push(mirror);
    this.addVif(mirror.destinationVifId);
    const { source } = mirror;
    if (source.kind === 'group') {
      const group = state.securityGroups.get(source.groupId);
      if (group) this.groups.set(group.id, group);
    }
    if (!sources) return;
    const scoped =
      source.kind === 'vif'
        ? [source.vifId]
        : source.kind === 'network'
          ? [...(state.indexes.vifsByNetwork.get(source.networkId) ?? [])]
          : [...(state.securityGroups.get(source.groupId)?.vifIds ?? [])];
    for (const id of scoped) this.addVif(id);
  }

  private addVif(vifId: string): void {
    const { state } = this;
    const vif = state.vifs.get(vifId);
    const vm = vif && state.vms.get(vif.vmId);
    if (!vif || !vm) return;
    this.vifs.set(vif.id, vif);
    this.vms.set(vm.id, vm);
    const migrationId = state.indexes.migrationByVm.get(vm.id);
    const migration = migrationId === undefined ? undefined : state.migrations.get(migrationId);
    if (migration) this.migrations.set(migration.id, migration);
    for (const id of [vm.residentHostId, migration?.fromHostId, migration?.toHostId]) {
      const host = id == null ? undefined : state.hosts.get(id);
      if (host) this.hosts.set(host.id, host);
    }
  }
}

export interface MirrorPeers {
  mirrors: Mirror[];
  hosts: Host[];
  vms: Vm[];
  vifs: Vif[];
  migrations: Migration[];
  groups: SecurityGroup[];
}

/**
 * What a host needs, besides its own VMs, to derive its side of the pool's mirrors
 * (libs/vswitch mirror-legs.ts): a mirror whose monitor is here needs every source VIF wherever
 * it runs (each source host is one tunnel leg to receive); a mirror with a source here needs its
 * monitor VIF, that VM's migration and host (where the copies go). Both need the hosts at the
 * other end, for their tunnel endpoints. Costs the mirrors' scopes, not the pool.
 */
export function mirrorPeers(
  state: PoolState,
  localVifs: ReadonlySet<string>,
  covers: (scope: Scope) => boolean,
): MirrorPeers {
  const ends = new MirrorEnds(state);
  for (const mirror of state.mirrors.values()) {
    const monitorHere = localVifs.has(mirror.destinationVifId);
    if (monitorHere || covers(mirror.source)) ends.add(mirror, monitorHere);
  }
  return {
    mirrors: ends.mirrors,
    hosts: [...ends.hosts.values()],
    vms: [...ends.vms.values()],
    vifs: [...ends.vifs.values()],
    migrations: [...ends.migrations.values()],
    groups: [...ends.groups.values()],
  };
}

/**
 * One mirror's status in this pool state (libs/vswitch mirror-legs.ts over the mirror's two
 * ends only), or undefined for a mirror the state does not hold. What the read models store and
 * `poolctl mirror list --source log` prints.
 */
export function mirrorStatus(state: PoolState, mirrorId: string): MirrorStatus | undefined {
  const mirror = state.mirrors.get(mirrorId);
  if (!mirror) return undefined;
  const ends = new MirrorEnds(state);
  ends.add(mirror, true);
  const topology: PoolTopology = {
    hosts: [...ends.hosts.values()].map((h) => hostOf(state, h)),
    networks: [],
    vms: [...ends.vms.values()].map(vmOf),
    vifs: [...ends.vifs.values()].map(vifOf),
    acls: [],
    mirrors: [mirrorOf(mirror)],
    migrations: [...ends.migrations.values()].map(migrationOf),
    addressSets: [],
    securityGroups: [...ends.groups.values()].map(securityGroupOf),
  };
  const [status] = mirrorStatuses(topology);
  if (!status) return undefined;
  const { state: realised, monitorHost, problems } = status;
  return { state: realised, monitorHost, problems };
}
