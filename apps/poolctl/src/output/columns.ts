import { bridgeName, type BondView } from '@pool/contracts';
import {
  type AclView,
  type AddressSetView,
  type HostDetail,
  type HostView,
  type MirrorView,
  type NetworkView,
  type PoolSummary,
  type ScopeView,
  type SecurityGroupView,
  type VifView,
  type VmView,
} from '../read/views.js';
import { portSecurityText, qosText } from './vif-policy-text.js';
import { type Column } from './table.js';

/** The columns each list verb shows in table mode (json shows every field). */

export const scopeText = (scope: ScopeView): string => {
  switch (scope.kind) {
    case 'network':
      return `network:${scope.networkId}`;
    case 'vif':
      return `vif:${scope.vifId}`;
    case 'group':
      return `group:${scope.groupId}`;
  }
};

/** A rule's remote side: its prefix, `set:<id>` or `group:<id>`; none (any address): -. */
const remoteText = ({ match }: AclView): string | null =>
  match.addressSetId
    ? `set:${match.addressSetId}`
    : match.remoteGroupId
      ? `group:${match.remoteGroupId}`
      : match.cidr;

export const POOL_COLUMNS: Column<PoolSummary>[] = [
  { header: 'id', value: (p) => p.id },
  { header: 'name', value: (p) => p.name },
  { header: 'version', value: (p) => p.version },
  { header: 'hosts', value: (p) => p.hosts },
  { header: 'networks', value: (p) => p.networks },
  { header: 'vms', value: (p) => p.vms },
  { header: 'vifs', value: (p) => p.vifs },
];

export const HOST_COLUMNS: Column<HostView>[] = [
  { header: 'id', value: (h) => h.id },
  { header: 'name', value: (h) => h.name },
  { header: 'enabled', value: (h) => h.enabled },
  { header: 'management', value: (h) => h.management },
  { header: 'applied', value: (h) => h.appliedVersion },
  { header: 'lag', value: (h) => h.lagEvents },
  { header: 'vms', value: (h) => h.runningVms },
];

export type HostPif = HostDetail['pifs'][number] & { hostId: string };
export const PIF_COLUMNS: Column<HostPif>[] = [
  { header: 'host', value: (p) => p.hostId },
  { header: 'device', value: (p) => p.device },
  { header: 'mac', value: (p) => p.mac },
  { header: 'mtu', value: (p) => p.mtu },
  { header: 'roles', value: (p) => p.roles },
  { header: 'bond', value: (p) => p.bondId },
];

export type HostBond = BondView & { hostId: string };
export const BOND_COLUMNS: Column<HostBond>[] = [
  { header: 'id', value: (b) => b.id },
  { header: 'host', value: (b) => b.hostId },
  { header: 'device', value: (b) => b.device },
  { header: 'members', value: (b) => b.members },
  { header: 'mode', value: (b) => b.mode },
];

export const NETWORK_COLUMNS: Column<NetworkView>[] = [
  { header: 'id', value: (n) => n.id },
  { header: 'name', value: (n) => n.name },
  { header: 'kind', value: (n) => n.kind },
  { header: 'purpose', value: (n) => n.purpose },
  { header: 'uplink', value: (n) => n.device ?? n.uplinks?.[0]?.device },
  { header: 'vlan', value: (n) => n.vlan },
  { header: 'mtu', value: (n) => n.mtu },
  { header: 'bridge', value: (n) => n.bridge ?? bridgeName(n.id) },
  { header: 'acl default', value: (n) => n.aclDefault ?? 'allow' },
];

export const VM_COLUMNS: Column<VmView>[] = [
  { header: 'id', value: (v) => v.id },
  { header: 'name', value: (v) => v.name },
  { header: 'power', value: (v) => v.powerState },
  { header: 'host', value: (v) => v.hostId },
  { header: 'vifs', value: (v) => v.vifs.length },
  {
    header: 'migration',
    value: (v) => (v.migration ? `${v.migration.status} → ${v.migration.toHostId}` : null),
  },
];

export type VmVif = VifView & { vmId: string };
export const VIF_COLUMNS: Column<VmVif>[] = [
  { header: 'id', value: (v) => v.id },
  { header: 'vm', value: (v) => v.vmId },
  { header: 'device', value: (v) => v.device },
  { header: 'network', value: (v) => v.networkId },
  { header: 'mac', value: (v) => v.mac },
  { header: 'ips', value: (v) => v.ips },
  { header: 'qos', value: (v) => qosText(v.qos) },
  { header: 'port security', value: (v) => portSecurityText(v.portSecurity) },
];

/**
 * `host-a: pnv-… on pnb-…`, one per host holding the port, a pending one marked, one whose
 * device the hypervisor has not plugged there yet, and the hypervisor's device where the host
 * adopted it (`as vnet7`).
 */
const hostPortsText = (vif: VifView): string =>
  vif.ports
    .map(
      (p) =>
        `${p.hostId}: ${p.port}${p.device ? ` as ${p.device}` : ''} on ${p.bridge}` +
        (p.role === 'pending' ? ' (pending)' : '') +
        (p.plugged === false ? ' (not plugged)' : ''),
    )
    .join(', ');

/** `vif show`: the VIF, then its switch port (the device the hypervisor creates) and hosts. */
export const vifFields = (v: VmVif): [string, unknown][] => [
  ['id', v.id],
  ['vm', v.vmId],
  ['device', v.device],
  ['network', v.networkId],
  ['mac', v.mac],
  ['ips', v.ips],
  ['qos', qosText(v.qos)],
  ['port security', portSecurityText(v.portSecurity)],
  ['port (device name)', v.port],
  ['bridge', v.bridge],
  ['on hosts', v.ports.length === 0 ? 'none (the VM is not running)' : hostPortsText(v)],
];

const portsText = (from: number | null, to: number | null): string | null =>
  from === null ? null : from === to ? String(from) : `${from}-${to}`;
export const ACL_COLUMNS: Column<AclView>[] = [
  { header: 'id', value: (a) => a.id },
  { header: 'scope', value: (a) => scopeText(a.scope) },
  { header: 'direction', value: (a) => a.direction },
  { header: 'priority', value: (a) => a.priority },
  { header: 'protocol', value: (a) => a.match.protocol },
  { header: 'remote', value: remoteText },
  { header: 'ports', value: (a) => portsText(a.match.portFrom, a.match.portTo) },
  { header: 'action', value: (a) => (a.stateless ? `${a.action}-stateless` : a.action) },
  { header: 'packets', value: (a) => a.hits?.packets },
  { header: 'bytes', value: (a) => a.hits?.bytes },
  { header: 'by host', value: (a) => a.hits?.hosts.map((h) => `${h.hostId}:${h.packets}`) },
];

export const MIRROR_COLUMNS: Column<MirrorView>[] = [
  { header: 'id', value: (m) => m.id },
  { header: 'source', value: (m) => scopeText(m.source) },
  { header: 'direction', value: (m) => m.direction },
  { header: 'to vif', value: (m) => m.destinationVifId },
  { header: 'state', value: (m) => m.status.state },
  { header: 'monitor host', value: (m) => m.status.monitorHost },
  // Why a part copies nothing: a code and a sentence each (never silently absent).
  {
    header: 'problems',
    value: (m) => m.status.problems.map((p) => `${p.code}: ${p.message}`).join('; '),
  },
];

export const ADDRESS_SET_COLUMNS: Column<AddressSetView>[] = [
  { header: 'id', value: (s) => s.addressSetId },
  { header: 'name', value: (s) => s.name },
  { header: 'cidrs', value: (s) => s.cidrs },
];

export const SECURITY_GROUP_COLUMNS: Column<SecurityGroupView>[] = [
  { header: 'id', value: (g) => g.groupId },
  { header: 'name', value: (g) => g.name },
  { header: 'policy', value: (g) => g.defaultPolicy },
  { header: 'rules', value: (g) => g.ruleCount },
  { header: 'members', value: (g) => g.vifIds },
];
