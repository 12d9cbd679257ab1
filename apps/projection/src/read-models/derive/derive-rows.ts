import type {
  AclRule,
  AddressSet,
  Host,
  Mirror,
  Network,
  Scope,
  SecurityGroup,
  Vif,
  Vm,
} from '@pool/domain';
import { mirrorStatus } from '@pool/pool-topology';
import type { LogRows, LogTableName } from '../read-model-tables.js';
import { adviceFor, bondsByMember, trafficByDevice, uplinkDevice } from './traffic.js';
import type { GroupKey, MigrationRecord, PoolFold } from './pool-fold.js';

/** The rows of one group, by table; a table a group does not use stays absent. */
export type GroupRows = { [T in LogTableName]?: LogRows[T][] };

/**
 * The rows a group holds in the current state: what the read models must contain for it. An
 * object that left the state derives no rows, so its old rows are deleted by the diff.
 */
export function deriveGroup(fold: PoolFold, group: GroupKey): GroupRows {
  const colon = group.indexOf(':');
  const kind = colon < 0 ? group : group.slice(0, colon);
  const id = group.slice(colon + 1);
  const { state } = fold;
  switch (kind) {
    case 'pool':
      return poolRows(fold);
    case 'host': {
      const host = state.hosts.get(id);
      return host ? hostRows(fold, host) : {};
    }
    case 'network': {
      const network = state.networks.get(id);
      return network ? { networks: [networkRow(fold.poolId, network)] } : {};
    }
    case 'vm': {
      const vm = state.vms.get(id);
      return vm ? vmRows(fold, vm) : {};
    }
    case 'acl': {
      const rule = state.aclRules.get(id);
      return rule ? { aclRules: [aclRow(fold.poolId, rule)] } : {};
    }
    case 'address-set': {
      const set = state.addressSets.get(id);
      return set ? { addressSets: [addressSetRow(fold.poolId, set)] } : {};
    }
    case 'security-group': {
      const group = state.securityGroups.get(id);
      return group ? securityGroupRows(fold.poolId, group) : {};
    }
    case 'mirror': {
      const mirror = state.mirrors.get(id);
      return mirror ? { mirrors: [mirrorRow(fold, mirror)] } : {};
    }
    case 'migration': {
      const record = fold.migrations.get(id);
      return record ? { migrations: [migrationRow(fold.poolId, record)] } : {};
    }
    default:
      throw new Error(`unknown row group ${group}`);
  }
}

function poolRows(fold: PoolFold): GroupRows {
  const { state } = fold;
  if (state.status !== 'Active') return {};
  return {
    pools: [
      {
        poolId: fold.poolId,
        name: state.name,
        version: fold.version,
        createdAt: state.createdAt,
        updatedAt: fold.updatedAt,
        hosts: state.hosts.size,
        networks: state.networks.size,
        vms: state.vms.size,
        vifs: state.vifs.size,
        migrationsActive: state.migrations.size,
      },
    ],
  };
}

function hostRows(fold: PoolFold, host: Host): GroupRows {
  const { poolId, state } = fold;
  const traffic = trafficByDevice(state, host);
  const bondOf = bondsByMember(state, host.id);
  const pifs = [...host.pifs.values()];
  const rows: Required<Pick<GroupRows, 'hosts' | 'pifs' | 'bonds' | 'uplinks' | 'advice'>> = {
    hosts: [
      {
        poolId,
        id: host.id,
        name: host.name,
        address: host.address,
        enabled: host.state === 'enabled',
        management: pifs.find((pif) => pif.role === 'management')?.device ?? null,
        tunnelDevice: host.tunnel?.device ?? null,
        tunnelAddress: host.tunnel?.address ?? null,
        interfaces: structuredClone(host.interfaces),
        joinedAt: host.joinedAt,
      },
    ],
    pifs: pifs.map((pif) => ({
      poolId,
      hostId: host.id,
      device: pif.device,
      mac: pif.mac,
      mtu: pif.mtu,
      speedMbps: pif.speedMbps,
      carrier: pif.carrier,
      role: pif.role,
      roles: traffic.get(pif.device) ?? [],
      bondId: bondOf.get(pif.device)?.id ?? null,
    })),
    bonds: [],
    uplinks: [],
    advice: [],
  };
  for (const bond of state.bonds.values()) {
    if (bond.hostId !== host.id) continue;
    const { id, device, members, mode } = bond;
    rows.bonds.push({ poolId, id, hostId: host.id, device, members: [...members], mode });
  }
  for (const network of state.networks.values()) {
    const device = uplinkDevice(state, host, network);
    if (device === null || network.kind !== 'external') continue;
    rows.uplinks.push({
      poolId,
      networkId: network.id,
      hostId: host.id,
      device,
      vlan: network.vlan,
    });
  }
  for (const [device, types] of traffic) {
    const message = adviceFor(device, types);
    if (message) rows.advice.push({ poolId, hostId: host.id, device, traffic: types, message });
  }
  return rows;
}

export const networkRow = (poolId: string, network: Network): LogRows['networks'] => ({
  poolId,
  id: network.id,
  name: network.name,
  kind: network.kind,
  purpose: network.purpose,
  device: network.kind === 'external' ? network.device : null,
  vlan: network.kind === 'external' ? network.vlan : null,
  vni: network.kind === 'overlay' ? network.vni : null,
  mtu: network.mtu,
  aclDefault: network.aclDefault,
});

function vmRows(fold: PoolFold, vm: Vm): GroupRows {
  const { poolId, state } = fold;
  const vifs: Vif[] = [];
  for (const vifId of state.indexes.vifsByVm.get(vm.id)?.values() ?? []) {
    const vif = state.vifs.get(vifId);
    if (vif) vifs.push(vif);
  }
  const hostId = vm.residentHostId;
  return {
    vms: [{ poolId, id: vm.id, name: vm.name, powerState: vm.powerState, hostId }],
    vifs: vifs.map((vif) => ({
      poolId,
      id: vif.id,
      vmId: vm.id,
      device: vif.device,
      networkId: vif.networkId,
      mac: vif.mac,
      ipv4: vif.ipv4,
      ipv6: vif.ipv6,
      qos: vif.qos && { ...vif.qos },
      portSecurity: vif.portSecurity,
    })),
    addresses: vifs.flatMap((vif): LogRows['addresses'][] => {
      const base = { poolId, vifId: vif.id, mac: vif.mac, networkId: vif.networkId, vmId: vm.id };
      const ips = (['ipv4', 'ipv6'] as const).filter((slot) => vif[slot] !== null);
      // Further addresses are the VIF's own too (unique on the network); pairs are not.
      const extra = vif.extraIps.map((ip) => ({ ...base, slot: `extra:${ip}`, ip, hostId }));
      if (ips.length + extra.length === 0) return [{ ...base, slot: 'mac', ip: null, hostId }];
      return [...ips.map((slot) => ({ ...base, slot, ip: vif[slot], hostId })), ...extra];
    }),
  };
}

/** The id a scope names, whatever its kind. */
const scopeId = (scope: Scope): string => {
  switch (scope.kind) {
    case 'network':
      return scope.networkId;
    case 'vif':
      return scope.vifId;
    case 'group':
      return scope.groupId;
  }
};

const aclRow = (poolId: string, rule: AclRule): LogRows['aclRules'] => ({
  poolId,
  id: rule.id,
  scopeKind: rule.scope.kind,
  scopeId: scopeId(rule.scope),
  direction: rule.direction,
  priority: rule.priority,
  protocol: rule.match.protocol,
  cidr: rule.match.cidr,
  portFrom: rule.match.portFrom,
  portTo: rule.match.portTo,
  action: rule.action,
  addressSetId: rule.match.addressSetId,
  remoteGroupId: rule.match.remoteGroupId,
  stateless: rule.stateless,
});

const addressSetRow = (poolId: string, set: AddressSet): LogRows['addressSets'] => ({
  poolId,
  id: set.id,
  name: set.name,
  cidrs: [...set.cidrs],
});

/** A group and one row per member VIF: a member leaving deletes its row by the diff. */
const securityGroupRows = (poolId: string, group: SecurityGroup): GroupRows => ({
  securityGroups: [{ poolId, id: group.id, name: group.name, defaultPolicy: group.defaultPolicy }],
  securityGroupMembers: group.vifIds.map((vifId) => ({ poolId, groupId: group.id, vifId })),
});

/** A mirror and whether it is realised now (libs/pool-topology mirrorStatus). */
const mirrorRow = (fold: PoolFold, mirror: Mirror): LogRows['mirrors'] => {
  const status = mirrorStatus(fold.state, mirror.id);
  return {
    poolId: fold.poolId,
    id: mirror.id,
    sourceKind: mirror.source.kind,
    sourceId: scopeId(mirror.source),
    direction: mirror.direction,
    destinationVifId: mirror.destinationVifId,
    state: status?.state ?? 'inactive',
    monitorHostId: status?.monitorHost ?? null,
    problems: status?.problems ?? [],
  };
};

const migrationRow = (poolId: string, m: MigrationRecord): LogRows['migrations'] => ({
  poolId,
  id: m.id,
  vmId: m.vmId,
  fromHostId: m.fromHostId,
  toHostId: m.toHostId,
  status: m.status,
  requestedAt: m.requestedAt,
  updatedAt: m.updatedAt,
  reason: m.reason,
  requestedVersion: m.versions.requested!,
  preparedVersion: m.versions.prepared,
  activatedVersion: m.versions.activated,
  completedVersion: m.versions.completed,
  abortedVersion: m.versions.aborted,
});
