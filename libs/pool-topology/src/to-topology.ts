import type {
  AclDirection,
  AclRule,
  AddressSet,
  Host,
  HostInterface,
  Ipv4Config,
  Ipv6Config,
  Migration,
  Mirror,
  Network,
  PoolState,
  Scope,
  SecurityGroup,
  Vif,
  Vm,
} from '@pool/domain';
import type {
  Direction,
  IpConfig,
  PoolTopology,
  Scope as TopologyScope,
  TopologyAcl,
  TopologyAddressSet,
  TopologyHost,
  TopologyHostInterface,
  TopologyMigration,
  TopologyMirror,
  TopologyNetwork,
  TopologySecurityGroup,
  TopologyVif,
  TopologyVm,
} from '@pool/vswitch';

/*
 * One mapping per entity from the domain's shapes (nulls, `kind` tags, Maps) to the vSwitch
 * model's (optional fields, arrays). libs/vswitch owns its input so that it imports no other
 * lib; this library is the only place that knows both.
 */

/** A host's tunnel endpoint, absent without one (or after a reset of its NIC). */
const tunnelOf = (host: Host): Pick<TopologyHost, 'tunnel'> =>
  host.tunnel && host.tunnel.device !== host.managementOnly ? { tunnel: { ...host.tunnel } } : {};

export const hostOf = (state: PoolState, host: Host): TopologyHost => ({
  id: host.id,
  name: host.name,
  state: host.state,
  // A reset host's management NIC carries management alone: no uplink bridge takes it.
  pifs: [...host.pifs.values()]
    .filter((pif) => pif.device !== host.managementOnly)
    .map(({ device, mac, mtu }) => ({ device, mac, mtu })),
  bonds: [...state.bonds.values()]
    .filter((bond) => bond.hostId === host.id)
    .map(({ device, members, mode }) => ({ device, members: [...members], mode })),
  // Absent without one, so a host's topology (and digest) is what it was before overlays.
  ...tunnelOf(host),
  // Absent without any, for the same reason. After a reset the management NIC is in no bridge,
  // so an interface on it keeps its address on the NIC itself (placement pif, untagged).
  ...(host.interfaces.length > 0
    ? {
        interfaces: host.interfaces.map((i) =>
          hostInterfaceOf(
            i.device === host.managementOnly ? { ...i, placement: 'pif', vlan: null } : i,
          ),
        ),
      }
    : {}),
});

/**
 * Another host as one host's switches see it: whether it is in the pool and where its tunnels
 * end (overlay meshes and mirror legs read nothing else of a remote host). A member host
 * derives its switches after every event, with every host of an overlay it carries among its
 * peers: converting their NICs, bonds and interfaces too was most of that cost at 1,000 hosts.
 */
export const peerHostOf = (host: Host): TopologyHost => ({
  id: host.id,
  name: host.name,
  state: host.state,
  pifs: [],
  bonds: [],
  ...tunnelOf(host),
});

const ipConfigOf = (config: Ipv4Config | Ipv6Config): IpConfig =>
  config.mode === 'static'
    ? {
        mode: 'static',
        address: config.address,
        ...(config.gateway === null ? {} : { gateway: config.gateway }),
      }
    : { mode: config.mode };

export const hostInterfaceOf = (i: HostInterface): TopologyHostInterface => ({
  name: i.name,
  purpose: i.purpose,
  device: i.device,
  ...(i.vlan === null ? {} : { vlan: i.vlan }),
  placement: i.placement,
  ipv4: ipConfigOf(i.ipv4),
  ipv6: ipConfigOf(i.ipv6),
  ...(i.dns.length > 0 ? { dns: [...i.dns] } : {}),
});

export const networkOf = (network: Network): TopologyNetwork => ({
  id: network.id,
  name: network.name,
  mtu: network.mtu,
  kind:
    network.kind === 'external'
      ? { type: 'external', device: network.device, vlan: network.vlan ?? undefined }
      : network.kind === 'overlay'
        ? { type: 'overlay', vni: network.vni }
        : { type: 'private' },
  // Absent for allow, so a network's state (and digest) is what it was before policies existed.
  ...(network.aclDefault === 'deny' ? { aclDefault: 'deny' as const } : {}),
});

export const vmOf = (vm: Vm): TopologyVm => ({
  id: vm.id,
  name: vm.name,
  powerState: vm.powerState,
  residentHost: vm.residentHostId ?? undefined,
});

export const vifOf = (vif: Vif): TopologyVif => ({
  id: vif.id,
  vmId: vif.vmId,
  device: vif.device,
  networkId: vif.networkId,
  mac: vif.mac,
  ipv4: vif.ipv4 ?? undefined,
  ipv6: vif.ipv6 ?? undefined,
  ...(vif.extraIps.length > 0 ? { extraIps: [...vif.extraIps] } : {}),
  ...(vif.allowedPairs.length > 0
    ? { allowedPairs: vif.allowedPairs.map(({ ip, mac }) => (mac ? { ip, mac } : { ip })) }
    : {}),
  qos: vif.qos ? { ...vif.qos } : undefined,
  portSecurity: vif.portSecurity,
});

export const scopeOf = (scope: Scope): TopologyScope =>
  scope.kind === 'network'
    ? { networkId: scope.networkId }
    : scope.kind === 'vif'
      ? { vifId: scope.vifId }
      : { groupId: scope.groupId };

/**
 * The domain names a rule's direction from the VM; the vSwitch model from the switch, as its
 * mirrors do: `ingress` is what enters the switch from the VM's port, `egress` what leaves
 * the switch to it.
 */
const SWITCH_DIRECTIONS: Readonly<Record<AclDirection, Direction>> = {
  'from-vm': 'ingress',
  'to-vm': 'egress',
};

export const aclOf = (rule: AclRule): TopologyAcl => ({
  id: rule.id,
  scope: scopeOf(rule.scope),
  direction: SWITCH_DIRECTIONS[rule.direction],
  priority: rule.priority,
  match: {
    protocol: rule.match.protocol,
    cidr: rule.match.cidr ?? undefined,
    addressSetId: rule.match.addressSetId ?? undefined,
    remoteGroupId: rule.match.remoteGroupId ?? undefined,
    portFrom: rule.match.portFrom ?? undefined,
    portTo: rule.match.portTo ?? undefined,
  },
  action: rule.action,
  ...(rule.stateless ? { stateless: true } : {}),
});

export const addressSetOf = (set: AddressSet): TopologyAddressSet => ({
  id: set.id,
  cidrs: [...set.cidrs],
});

export const securityGroupOf = (group: SecurityGroup): TopologySecurityGroup => ({
  id: group.id,
  defaultPolicy: group.defaultPolicy,
  vifIds: [...group.vifIds],
});

export const mirrorOf = (mirror: Mirror): TopologyMirror => ({
  id: mirror.id,
  source: scopeOf(mirror.source),
  direction: mirror.direction,
  destinationVifId: mirror.destinationVifId,
});

export const migrationOf = (migration: Migration): TopologyMigration => ({
  vmId: migration.vmId,
  fromHost: migration.fromHostId,
  toHost: migration.toHostId,
  phase: migration.status,
});

/** The whole pool as the vSwitch model reads it. Pure; the state is not changed. */
export function toTopology(state: PoolState): PoolTopology {
  return {
    hosts: [...state.hosts.values()].map((host) => hostOf(state, host)),
    networks: [...state.networks.values()].map(networkOf),
    vms: [...state.vms.values()].map(vmOf),
    vifs: [...state.vifs.values()].map(vifOf),
    acls: [...state.aclRules.values()].map(aclOf),
    mirrors: [...state.mirrors.values()].map(mirrorOf),
    migrations: [...state.migrations.values()].map(migrationOf),
    addressSets: [...state.addressSets.values()].map(addressSetOf),
    securityGroups: [...state.securityGroups.values()].map(securityGroupOf),
  };
}
