import { bridgeName, portHosts, vifPorts, vifSwitchNames, type PortHost } from '@pool/contracts';
import {
  tunnelEndpoints,
  underlayFigures,
  type Host,
  type PoolState,
  type Vif,
  type Vm,
} from '@pool/domain';
import { mirrorStatus } from '@pool/pool-topology';
import {
  type AclView,
  type AddressSetView,
  type HostDetail,
  type HostView,
  type MirrorView,
  type NetworkView,
  type PoolView,
  type SecurityGroupView,
  type VifView,
  type VmView,
} from './views.js';

/*
 * The projection's shapes computed from the pool's state as the master's log folds it. The log
 * says what is configured, not what hosts applied: those fields are null here.
 */

export const poolView = (state: PoolState, version: number): PoolView => ({
  id: state.id,
  name: state.name,
  version,
  updatedAt: null,
  hosts: state.hosts.size,
  networks: state.networks.size,
  vms: state.vms.size,
  vifs: state.vifs.size,
  migrationsActive: state.migrations.size,
});

export const hostView = (state: PoolState, host: Host): HostView => ({
  id: host.id,
  name: host.name,
  address: host.address,
  enabled: host.state === 'enabled',
  management: [...host.pifs.values()].find((pif) => pif.role === 'management')?.device ?? null,
  tunnel: host.tunnel && { device: host.tunnel.device, address: host.tunnel.address },
  interfaces: structuredClone(host.interfaces),
  appliedVersion: null,
  lagEvents: null,
  lagSeconds: null,
  lastReportAt: null,
  digest: null,
  drift: null,
  held: null,
  runningVms: state.indexes.runningVmsByHost.get(host.id)?.size ?? 0,
});

export const hostDetail = (state: PoolState, host: Host): HostDetail => {
  const bonds = [...state.bonds.values()].filter((bond) => bond.hostId === host.id);
  const bondOf = (device: string) => bonds.find((bond) => bond.members.includes(device))?.id;
  return {
    ...hostView(state, host),
    pifs: [...host.pifs.values()].map((pif) => ({
      id: `${host.id}/${pif.device}`,
      device: pif.device,
      mac: pif.mac,
      mtu: pif.mtu,
      speedMbps: pif.speedMbps,
      carrier: pif.carrier,
      role: pif.role,
      roles: [pif.role],
      bondId: bondOf(pif.device) ?? null,
    })),
    bonds: bonds.map((bond) => ({
      id: bond.id,
      device: bond.device,
      members: [...bond.members],
      mode: bond.mode,
    })),
    ports: [],
  };
};

/** The hosts with a PIF or bond named `device`: where an external network gets out. */
const uplinksOf = (state: PoolState, device: string) =>
  [...state.hosts.values()]
    .filter(
      (host) =>
        host.pifs.has(device) ||
        [...state.bonds.values()].some((b) => b.hostId === host.id && b.device === device),
    )
    .map((host) => ({ hostId: host.id, device }));

export const networkViews = (state: PoolState): NetworkView[] => {
  const endpoints = tunnelEndpoints(state).sort((a, b) => a.hostId.localeCompare(b.hostId));
  return [...state.networks.values()].map((network) => ({
    id: network.id,
    name: network.name,
    kind: network.kind,
    purpose: network.purpose,
    device: network.kind === 'external' ? network.device : null,
    vlan: network.kind === 'external' ? network.vlan : null,
    vni: network.kind === 'overlay' ? network.vni : null,
    mtu: network.mtu,
    bridge: bridgeName(network.id),
    aclDefault: network.aclDefault,
    uplinks: network.kind === 'external' ? uplinksOf(state, network.device) : [],
    underlay: network.kind === 'overlay' ? underlayFigures(network.mtu, endpoints) : null,
  }));
};

const vifView = (vif: Vif, hosts: readonly PortHost[]): VifView => ({
  ...vifSwitchNames(vif),
  ports: vifPorts(vif, hosts),
  id: vif.id,
  device: vif.device,
  mac: vif.mac,
  networkId: vif.networkId,
  ips: [vif.ipv4, vif.ipv6].filter((ip): ip is string => ip !== null),
  qos: vif.qos,
  portSecurity: vif.portSecurity,
});

export const vmView = (state: PoolState, vm: Vm): VmView => {
  const devices = state.indexes.vifsByVm.get(vm.id) ?? new Map<number, string>();
  const vifs = [...devices.entries()]
    .sort(([a], [b]) => a - b)
    .map(([, id]) => state.vifs.get(id))
    .filter((vif): vif is Vif => vif !== undefined);
  const migrationId = state.indexes.migrationByVm.get(vm.id);
  const migration = migrationId === undefined ? undefined : state.migrations.get(migrationId);
  const hosts = portHosts(
    { powerState: vm.powerState, residentHost: vm.residentHostId },
    migration && {
      fromHost: migration.fromHostId,
      toHost: migration.toHostId,
      phase: migration.status,
    },
  );
  return {
    id: vm.id,
    name: vm.name,
    powerState: vm.powerState,
    hostId: vm.residentHostId,
    vifs: vifs.map((vif) => vifView(vif, hosts)),
    migration: migration
      ? { id: migration.id, status: migration.status, toHostId: migration.toHostId }
      : null,
  };
};

export const aclViews = (state: PoolState): AclView[] =>
  [...state.aclRules.values()].map((rule) => ({
    id: rule.id,
    scope: { ...rule.scope },
    direction: rule.direction,
    priority: rule.priority,
    match: { ...rule.match },
    action: rule.action,
    stateless: rule.stateless,
    hits: null,
  }));

export const mirrorViews = (state: PoolState): MirrorView[] =>
  [...state.mirrors.values()].map((mirror) => ({
    id: mirror.id,
    source: { ...mirror.source },
    direction: mirror.direction,
    destinationVifId: mirror.destinationVifId,
    status: mirrorStatus(state, mirror.id) ?? {
      state: 'inactive',
      monitorHost: null,
      problems: [],
    },
  }));

export const addressSetViews = (state: PoolState): AddressSetView[] =>
  [...state.addressSets.values()].map((set) => ({
    addressSetId: set.id,
    name: set.name,
    cidrs: [...set.cidrs],
  }));

export const securityGroupViews = (state: PoolState): SecurityGroupView[] => {
  const rules = [...state.aclRules.values()];
  return [...state.securityGroups.values()].map((group) => ({
    groupId: group.id,
    name: group.name,
    defaultPolicy: group.defaultPolicy,
    vifIds: [...group.vifIds],
    ruleCount: rules.filter((r) => r.scope.kind === 'group' && r.scope.groupId === group.id).length,
  }));
};
