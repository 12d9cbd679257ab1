import { ApiProperty, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';
import { type Type } from '@nestjs/common';
import type {
  AclMatchView,
  AclRuleView,
  AddressSetView,
  AddressView,
  AdviceView,
  BondView,
  CounterView,
  HostDetailView,
  HostHeldView,
  HostInterfaceView,
  HostPortView,
  HostRuleHitsView,
  HostView,
  MigrationVersionsView,
  MigrationView,
  MirrorStatus,
  MirrorStatusProblem,
  MirrorView,
  NetworkView,
  OverlayHostView,
  OverlayUnderlayView,
  PifView,
  PoolSummaryView,
  PoolView,
  RuleHitsView,
  ScopeView,
  SecurityGroupView,
  SwitchNetworkView,
  SwitchPortView,
  SwitchView,
  UplinkView,
  VifPolicyView,
  VifPortView,
  VifQosView,
  VifSwitchPortsView,
  VmMigrationView,
  VmVifView,
  VmView,
} from '@pool/contracts';

/*
 * The read API's response shapes for OpenAPI. The shapes themselves are libs/contracts'
 * (read-api.ts): handlers return them, and each model here `implements` its view, so a field the
 * contract gains and a model lacks, or a type that no longer fits, fails the build.
 * test/contracts/read-api-contract.spec.ts checks the other way: no model documents a field the
 * contract does not have. Enumerations are listed from the contract's unions with `allOf`.
 */

/** Every member of the string union `T`, once: the compiler rejects a missing or unknown one. */
const allOf = <T extends string>(members: Record<T, true>): T[] => Object.keys(members) as T[];

export class ApiErrorModel {
  @ApiProperty({ type: 'integer', example: 404 }) statusCode!: number;
  @ApiProperty({ example: 'POOL_NOT_FOUND' }) code!: string;
  @ApiProperty({ example: 'no pool "lab".' }) message!: string;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true }) details?: object;
}

export class PoolSummaryModel implements PoolSummaryView {
  @ApiProperty() id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ type: 'integer', description: 'Last pool event in the read models' })
  version!: number;
  @ApiProperty({ type: 'integer' }) hosts!: number;
  @ApiProperty({ type: 'integer' }) networks!: number;
  @ApiProperty({ type: 'integer' }) vms!: number;
  @ApiProperty({ type: 'integer' }) vifs!: number;
}

export class PoolModel extends PoolSummaryModel implements PoolView {
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
  @ApiProperty({ type: 'integer' }) migrationsActive!: number;
}

export class UplinkModel implements UplinkView {
  @ApiProperty() hostId!: string;
  @ApiProperty({ example: 'eth1' }) device!: string;
}

export class VifQosModel implements VifQosView {
  @ApiProperty({
    type: 'integer',
    description: 'kbit/s the VM sends into the switch (policed); 0 is unlimited',
  })
  ingressKbps!: number;
  @ApiProperty({ type: 'integer', description: 'kbit' }) ingressBurstKb!: number;
  @ApiProperty({
    type: 'integer',
    description: 'kbit/s the switch sends to the VM (shaped); 0 is unlimited',
  })
  egressKbps!: number;
  @ApiProperty({ type: 'integer', description: 'kbit' }) egressBurstKb!: number;
}

/** QoS and port security, on a VM's VIFs and on switch ports alike. */
class VifPolicyModel implements VifPolicyView {
  @ApiProperty({
    type: () => VifQosModel,
    nullable: true,
    description: 'Rate limits; null when the VIF has none',
  })
  qos!: VifQosModel | null;
  @ApiProperty({ description: "Only the VIF's own MAC and addresses pass the port" })
  portSecurity!: boolean;
}

export class SwitchPortModel extends VifPolicyModel implements SwitchPortView {
  @ApiProperty() vifId!: string;
  @ApiProperty() vmId!: string;
  @ApiProperty() vmName!: string;
  @ApiProperty() mac!: string;
  @ApiProperty({ type: String, isArray: true }) ips!: string[];
  @ApiProperty({ type: String, nullable: true }) hostId!: string | null;
  @ApiProperty({
    enum: allOf<SwitchPortView['state']>({ forwarding: true, pending: true, down: true }),
  })
  state!: SwitchPortView['state'];
}

export class OverlayHostModel implements OverlayHostView {
  @ApiProperty() hostId!: string;
  @ApiProperty({ type: String, nullable: true, description: 'The host tunnel endpoint address' })
  endpoint!: string | null;
  @ApiProperty({
    type: 'integer',
    description: 'Tunnels the log wants of the host: one to each other host of the network',
  })
  wanted!: number;
  @ApiProperty({ type: 'integer', nullable: true, description: 'As its last report says' })
  expected!: number | null;
  @ApiProperty({ type: 'integer', nullable: true, description: 'Tunnels on its switch' })
  applied!: number | null;
  @ApiProperty({ type: String, isArray: true, description: 'Hosts it lacks a tunnel to' })
  missing!: string[];
  @ApiProperty({
    type: String,
    isArray: true,
    description: 'Hosts whose tunnel is on its switch but fails its liveness check (BFD)',
  })
  unreachable!: string[];
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) reportedAt!: string | null;
  @ApiProperty({
    enum: allOf<OverlayHostView['state']>({
      up: true,
      partial: true,
      down: true,
      unreachable: true,
      converging: true,
      unreported: true,
    }),
  })
  state!: OverlayHostView['state'];
}

export class OverlayUnderlayModel implements OverlayUnderlayView {
  @ApiProperty() hostId!: string;
  @ApiProperty({ description: 'The tunnel endpoint PIF' }) device!: string;
  @ApiProperty({ description: 'The tunnel endpoint address' }) address!: string;
  @ApiProperty({ type: 'integer', description: 'The endpoint PIF MTU' }) underlayMtu!: number;
  @ApiProperty({
    type: 'integer',
    description: 'What VXLAN adds to an overlay frame: 50 over an IPv4 underlay, 70 over IPv6',
  })
  overhead!: number;
  @ApiProperty({
    type: 'integer',
    description: 'underlayMtu − overhead − the network MTU (OVERLAY_MTU_TOO_LARGE below 0)',
  })
  headroom!: number;
}

/** A network's `underlay`, in /networks and /switch alike. */
const ApiUnderlay = () =>
  ApiProperty({
    type: () => OverlayUnderlayModel,
    isArray: true,
    nullable: true,
    description:
      'Overlay networks: the underlay on each host with a tunnel endpoint (any of them carries ' +
      'the network once a VM of it runs there), its MTU, the encapsulation overhead and the ' +
      'headroom; null for another kind',
  });

const BRIDGE_DESCRIPTION =
  "The network's Open vSwitch bridge, the same on every host that carries it and derived from " +
  "the network id alone: a libvirt domain names it as an interface's source bridge " +
  '(poolctl vm libvirt-xml prints the elements).';

const NETWORK_KINDS = allOf<NetworkView['kind']>({ external: true, private: true, overlay: true });
const ACL_DEFAULTS = allOf<NetworkView['aclDefault']>({ allow: true, deny: true });
const NETWORK_PURPOSES = ['management', 'vm', 'storage'];

export class SwitchNetworkModel implements SwitchNetworkView {
  @ApiProperty() id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: NETWORK_KINDS }) kind!: NetworkView['kind'];
  @ApiProperty({ enum: NETWORK_PURPOSES }) purpose!: string;
  @ApiProperty({ type: 'integer', nullable: true }) vlan!: number | null;
  @ApiProperty({ type: 'integer', nullable: true, description: 'An overlay network VNI' })
  vni!: number | null;
  @ApiProperty({ type: 'integer' }) mtu!: number;
  @ApiProperty({ example: 'pnb-7e96f6f700', description: BRIDGE_DESCRIPTION }) bridge!: string;
  @ApiProperty({
    enum: ACL_DEFAULTS,
    description: 'deny: its ports drop IP traffic no rule allows (replies to allowed traffic pass)',
  })
  aclDefault!: NetworkView['aclDefault'];
  @ApiProperty({ type: () => UplinkModel, isArray: true }) uplinks!: UplinkModel[];
  @ApiUnderlay() underlay!: OverlayUnderlayView[] | null;
  @ApiProperty({ type: () => SwitchPortModel, isArray: true }) ports!: SwitchPortModel[];
  @ApiProperty({
    type: () => OverlayHostModel,
    isArray: true,
    description: 'Overlay networks: each host of the mesh and its tunnels (empty otherwise)',
  })
  tunnels!: OverlayHostModel[];
}

export class SwitchModel implements SwitchView {
  @ApiProperty() pool!: string;
  @ApiProperty({ type: 'integer' }) version!: number;
  @ApiProperty({ type: () => SwitchNetworkModel, isArray: true }) networks!: SwitchNetworkModel[];
}

export class HostModel implements HostView {
  @ApiProperty() id!: string;
  @ApiProperty() name!: string;
  @ApiProperty() address!: string;
  @ApiProperty() enabled!: boolean;
  @ApiProperty({ type: String, nullable: true, description: 'Management PIF device' })
  management!: string | null;
  @ApiProperty({
    type: 'object',
    nullable: true,
    properties: { device: { type: 'string' }, address: { type: 'string' } },
    description: "The host's overlay tunnel endpoint (SetTunnelEndpoint)",
  })
  tunnel!: { device: string; address: string } | null;
  @ApiProperty({
    type: 'array',
    items: { type: 'object' },
    description:
      'Its management and storage interfaces as configured: name, purpose, device, vlan, ' +
      'placement (internal or pif), ipv4 and ipv6 ({mode, address?, gateway?}), dns',
  })
  interfaces!: HostInterfaceView[];
  @ApiProperty({ type: 'integer', nullable: true }) appliedVersion!: number | null;
  @ApiProperty({ type: 'integer', nullable: true, description: 'Pool head − applied version' })
  lagEvents!: number | null;
  @ApiProperty({ type: 'number', nullable: true, description: 'Age of the oldest unapplied event' })
  lagSeconds!: number | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) lastReportAt!: string | null;
  @ApiProperty({ type: String, nullable: true }) digest!: string | null;
  @ApiProperty({ type: 'integer', description: 'Drift items the host reported, in total' })
  drift!: number;
  @ApiProperty({
    type: Object,
    nullable: true,
    description:
      'Set while the host holds an earlier version after its network watchdog rolled a change ' +
      'back: { version (held), refusedVersion, reason, since }',
  })
  held!: HostHeldView | null;
  @ApiProperty({ type: 'integer' }) runningVms!: number;
}

export class PifModel implements PifView {
  @ApiProperty({ example: 'h1/eth0' }) id!: string;
  @ApiProperty() device!: string;
  @ApiProperty() mac!: string;
  @ApiProperty({ type: 'integer' }) mtu!: number;
  @ApiProperty({ type: 'integer' }) speedMbps!: number;
  @ApiProperty() carrier!: boolean;
  @ApiProperty({
    enum: allOf<PifView['role']>({
      management: true,
      vm: true,
      storage: true,
      tunnel: true,
      unused: true,
    }),
  })
  role!: PifView['role'];
  @ApiProperty({ type: String, isArray: true, description: 'Traffic types the NIC carries' })
  roles!: string[];
  @ApiProperty({ type: String, nullable: true }) bondId!: string | null;
}

export class BondModel implements BondView {
  @ApiProperty() id!: string;
  @ApiProperty() device!: string;
  @ApiProperty({ type: String, isArray: true }) members!: string[];
  @ApiProperty({
    enum: allOf<BondView['mode']>({ 'active-backup': true, 'balance-slb': true, lacp: true }),
  })
  mode!: BondView['mode'];
}

const PLUGGED_DESCRIPTION =
  "As the host last reported: false while the port's device is absent (the hypervisor has " +
  "not plugged the VM's NIC there yet, or unplugged it). The host has applied the VIF's " +
  'settings; the port forwards with them as soon as the device appears.';

export class HostPortModel implements HostPortView {
  @ApiProperty() vifId!: string;
  @ApiProperty() ready!: boolean;
  @ApiProperty() forwarding!: boolean;
  @ApiProperty({ description: PLUGGED_DESCRIPTION }) plugged!: boolean;
}

export class HostDetailModel extends HostModel implements HostDetailView {
  @ApiProperty({ type: () => PifModel, isArray: true }) pifs!: PifModel[];
  @ApiProperty({ type: () => BondModel, isArray: true }) bonds!: BondModel[];
  @ApiProperty({ type: () => HostPortModel, isArray: true }) ports!: HostPortModel[];
}

export class NetworkModel implements NetworkView {
  @ApiProperty() id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: NETWORK_KINDS }) kind!: NetworkView['kind'];
  @ApiProperty({ enum: NETWORK_PURPOSES }) purpose!: string;
  @ApiProperty({ type: String, nullable: true }) device!: string | null;
  @ApiProperty({ type: 'integer', nullable: true }) vlan!: number | null;
  @ApiProperty({ type: 'integer', nullable: true, description: 'An overlay network VNI' })
  vni!: number | null;
  @ApiProperty({ type: 'integer' }) mtu!: number;
  @ApiProperty({ example: 'pnb-7e96f6f700', description: BRIDGE_DESCRIPTION }) bridge!: string;
  @ApiProperty({
    enum: ACL_DEFAULTS,
    description: 'deny: its ports drop IP traffic no rule allows (replies to allowed traffic pass)',
  })
  aclDefault!: NetworkView['aclDefault'];
  @ApiProperty({ type: () => UplinkModel, isArray: true }) uplinks!: UplinkModel[];
  @ApiUnderlay() underlay!: OverlayUnderlayView[] | null;
}

const PORT_DESCRIPTION =
  "The VIF's Open vSwitch port, the same on every host and derived from the VIF id alone, so " +
  'known before any device exists. It is also the device name: the hypervisor creates the ' +
  "VIF's network device (a tap, or the host end of a veth) under this name and the member " +
  'host adds it to the bridge. The host marks it external_ids:iface-id=<VIF id>; a host ' +
  'with VIF_BINDING=iface-id instead adopts the interface the hypervisor plugs on the bridge ' +
  'with that iface-id, under the name the hypervisor chose.';

export class VifPortModel implements VifPortView {
  @ApiProperty() hostId!: string;
  @ApiProperty({ example: 'pnv-0a14d4ea58', description: PORT_DESCRIPTION }) port!: string;
  @ApiProperty({ example: 'pnb-7e96f6f700' }) bridge!: string;
  @ApiProperty({
    enum: allOf<VifPortView['role']>({ active: true, pending: true }),
    description: 'As the log places the port: pending on both hosts while a migration holds it',
  })
  role!: VifPortView['role'];
  @ApiPropertyOptional({ enum: [false], description: `${PLUGGED_DESCRIPTION} Absent otherwise.` })
  plugged?: false;
  @ApiPropertyOptional({
    example: 'vnet7',
    description:
      "The hypervisor's device the host adopted for the port (found by external_ids:iface-id), " +
      'when it is not `port`, as the host reported it. Absent otherwise.',
  })
  device?: string;
}

/** Where a VIF's traffic goes, from the log: names, and each host that holds its port. */
class VifSwitchPortsModel extends VifPolicyModel implements VifSwitchPortsView {
  @ApiProperty({ example: 'pnv-0a14d4ea58', description: PORT_DESCRIPTION }) port!: string;
  @ApiProperty({ example: 'pnb-7e96f6f700', description: "The network's bridge, on every host" })
  bridge!: string;
  @ApiProperty({
    type: () => VifPortModel,
    isArray: true,
    description:
      'Each host the log places the port on: none while the VM is halted, two during a migration',
  })
  ports!: VifPortModel[];
}

export class VmVifModel extends VifSwitchPortsModel implements VmVifView {
  @ApiProperty() id!: string;
  @ApiProperty({ type: 'integer' }) device!: number;
  @ApiProperty() mac!: string;
  @ApiProperty() networkId!: string;
  @ApiProperty({ type: String, isArray: true }) ips!: string[];
}

export class VmMigrationModel implements VmMigrationView {
  @ApiProperty() id!: string;
  @ApiProperty({ enum: ['requested', 'prepared', 'activated'] })
  status!: VmMigrationView['status'];
  @ApiProperty() toHostId!: string;
}

export class VmModel implements VmView {
  @ApiProperty() id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: allOf<VmView['powerState']>({ halted: true, running: true }) })
  powerState!: VmView['powerState'];
  @ApiProperty({ type: String, nullable: true }) hostId!: string | null;
  @ApiProperty({ type: () => VmVifModel, isArray: true }) vifs!: VmVifModel[];
  @ApiProperty({ type: () => VmMigrationModel, nullable: true })
  migration!: VmMigrationModel | null;
}

export class AddressModel implements AddressView {
  @ApiProperty() mac!: string;
  @ApiProperty({ type: String, nullable: true }) ip!: string | null;
  @ApiProperty() networkId!: string;
  @ApiProperty() vifId!: string;
  @ApiProperty() vmId!: string;
  @ApiProperty({ type: String, nullable: true }) hostId!: string | null;
  @ApiProperty({
    enum: allOf<AddressView['state']>({ forwarding: true, pending: true, down: true }),
  })
  state!: AddressView['state'];
  @ApiProperty({ example: 'pnv-0a14d4ea58', description: PORT_DESCRIPTION }) port!: string;
  @ApiProperty({ example: 'pnb-7e96f6f700' }) bridge!: string;
  @ApiProperty({ type: () => VifPortModel, isArray: true }) ports!: VifPortModel[];
}

export class MigrationVersionsModel implements MigrationVersionsView {
  @ApiProperty({ type: 'integer' }) requested!: number;
  @ApiProperty({ type: 'integer', nullable: true }) prepared!: number | null;
  @ApiProperty({ type: 'integer', nullable: true }) activated!: number | null;
  @ApiProperty({ type: 'integer', nullable: true }) completed!: number | null;
  @ApiProperty({ type: 'integer', nullable: true }) aborted!: number | null;
}

export class MigrationModel implements MigrationView {
  @ApiProperty() id!: string;
  @ApiProperty() vmId!: string;
  @ApiProperty() fromHostId!: string;
  @ApiProperty() toHostId!: string;
  @ApiProperty({
    enum: allOf<MigrationView['status']>({
      requested: true,
      prepared: true,
      activated: true,
      completed: true,
      aborted: true,
    }),
  })
  status!: MigrationView['status'];
  @ApiProperty({ format: 'date-time' }) requestedAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
  @ApiProperty({ type: String, nullable: true }) reason!: string | null;
  @ApiProperty({ type: () => MigrationVersionsModel }) versions!: MigrationVersionsModel;
}

/** ScopeView, a union, flattened for OpenAPI: `kind` says which id is there. */
export class ScopeModel {
  @ApiProperty({ enum: allOf<ScopeView['kind']>({ network: true, vif: true, group: true }) })
  kind!: ScopeView['kind'];
  @ApiPropertyOptional() networkId?: string;
  @ApiPropertyOptional() vifId?: string;
  @ApiPropertyOptional({ description: 'A security group: each of its member VIFs' })
  groupId?: string;
}

/** The remote side is at most one of cidr, addressSetId and remoteGroupId; none: any address. */
export class AclMatchModel implements AclMatchView {
  @ApiProperty({ enum: ['any', 'tcp', 'udp', 'icmp'] }) protocol!: string;
  @ApiProperty({ type: String, nullable: true }) cidr!: string | null;
  @ApiProperty({ type: String, nullable: true, description: "An address set's CIDRs" })
  addressSetId!: string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    description: "Every address of a security group's member VIFs",
  })
  remoteGroupId!: string | null;
  @ApiProperty({ type: 'integer', nullable: true }) portFrom!: number | null;
  @ApiProperty({ type: 'integer', nullable: true }) portTo!: number | null;
}

export class HostRuleHitsModel implements HostRuleHitsView {
  @ApiProperty() hostId!: string;
  @ApiProperty({ type: 'integer' }) packets!: number;
  @ApiProperty({ type: 'integer' }) bytes!: number;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
}

export class RuleHitsModel implements RuleHitsView {
  @ApiProperty({ type: 'integer', description: 'Summed over hosts' }) packets!: number;
  @ApiProperty({ type: 'integer', description: 'Summed over hosts' }) bytes!: number;
  @ApiProperty({ type: () => HostRuleHitsModel, isArray: true }) hosts!: HostRuleHitsModel[];
}

export class AclRuleModel implements AclRuleView {
  @ApiProperty() id!: string;
  @ApiProperty({ type: () => ScopeModel }) scope!: ScopeView;
  @ApiProperty({
    enum: allOf<AclRuleView['direction']>({ 'from-vm': true, 'to-vm': true }),
    description: 'from-vm: what the VM sends; to-vm: what is delivered to it',
  })
  direction!: AclRuleView['direction'];
  @ApiProperty({ type: 'integer' }) priority!: number;
  @ApiProperty({ type: () => AclMatchModel }) match!: AclMatchModel;
  @ApiProperty({ enum: allOf<AclRuleView['action']>({ allow: true, drop: true }) })
  action!: AclRuleView['action'];
  @ApiProperty({ description: 'Allowed packets are not tracked: replies need their own rule' })
  stateless!: boolean;
  @ApiProperty({
    type: () => RuleHitsModel,
    description: 'Packets and bytes the rule passed or dropped, as hosts last reported them',
  })
  hits!: RuleHitsModel;
}

export class AddressSetModel implements AddressSetView {
  @ApiProperty() addressSetId!: string;
  @ApiProperty() name!: string;
  @ApiProperty({
    type: String,
    isArray: true,
    example: ['10.0.0.0/8', '2001:db8::/32'],
    description: 'Canonical CIDRs, IPv4 first; may be empty (matches nothing)',
  })
  cidrs!: string[];
}

export class SecurityGroupModel implements SecurityGroupView {
  @ApiProperty() groupId!: string;
  @ApiProperty() name!: string;
  @ApiProperty({
    enum: ACL_DEFAULTS,
    description: "deny: members drop IP traffic no rule allows, whatever their network's policy",
  })
  defaultPolicy!: SecurityGroupView['defaultPolicy'];
  @ApiProperty({ type: String, isArray: true, description: 'Member VIFs, in id order' })
  vifIds!: string[];
  @ApiProperty({ type: 'integer', description: 'ACL rules scoped to the group' })
  ruleCount!: number;
}

export class MirrorProblemModel implements MirrorStatusProblem {
  @ApiProperty({
    enum: [
      'MONITOR_MISSING',
      'MONITOR_HALTED',
      'MONITOR_NOT_FORWARDING',
      'NO_SOURCE',
      'NO_TUNNEL_ENDPOINT',
      'SOURCE_ON_OTHER_NETWORK',
    ],
  })
  code!: string;
  @ApiProperty({ example: 'monitor VM 9a8b… is halted' }) message!: string;
  @ApiProperty({ required: false, description: 'The host the problem is on' }) host?: string;
}

export class MirrorStatusModel implements MirrorStatus {
  @ApiProperty({
    enum: allOf<MirrorStatus['state']>({ active: true, partial: true, inactive: true }),
    description:
      'active: every forwarding source is copied to the monitor; partial: some are; inactive: none',
  })
  state!: MirrorStatus['state'];
  @ApiProperty({
    type: String,
    nullable: true,
    description: "The host of the monitor VIF's forwarding port, where the copies arrive",
  })
  monitorHost!: string | null;
  @ApiProperty({ type: () => MirrorProblemModel, isArray: true }) problems!: MirrorProblemModel[];
}

export class MirrorModel implements MirrorView {
  @ApiProperty() id!: string;
  @ApiProperty({ type: () => ScopeModel }) source!: ScopeView;
  @ApiProperty({
    enum: allOf<MirrorView['direction']>({ ingress: true, egress: true, both: true }),
  })
  direction!: MirrorView['direction'];
  @ApiProperty() destinationVifId!: string;
  @ApiProperty({
    type: () => MirrorStatusModel,
    description:
      'Whether the mirror copies now (sources on other hosts arrive over GRE), and why not',
  })
  status!: MirrorStatusModel;
}

export class CounterModel implements CounterView {
  @ApiProperty() hostId!: string;
  @ApiProperty({ description: 'Datapath port name, as the host reported it' }) port!: string;
  @ApiProperty({ type: String, nullable: true, description: 'The VIF behind the port' })
  vifId!: string | null;
  @ApiProperty({ type: 'integer' }) rxPackets!: number;
  @ApiProperty({ type: 'integer' }) txPackets!: number;
  @ApiProperty({ type: 'integer' }) rxBytes!: number;
  @ApiProperty({ type: 'integer' }) txBytes!: number;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
}

export class AdviceModel implements AdviceView {
  @ApiProperty() hostId!: string;
  @ApiProperty() hostName!: string;
  @ApiProperty({ description: 'A NIC (a bond member gets a row of its own)' }) device!: string;
  @ApiProperty({ type: String, isArray: true, example: ['management', 'storage', 'vm'] })
  traffic!: string[];
  @ApiProperty() message!: string;
}

/** The OpenAPI schema of `{ items: T[], nextCursor }` for a list of `model`. */
export const pageSchema = (model: Type) => ({
  type: 'object',
  required: ['items', 'nextCursor'],
  properties: {
    items: { type: 'array', items: { $ref: getSchemaPath(model) } },
    nextCursor: {
      type: 'string',
      nullable: true,
      description: 'Pass as ?cursor= for the next page',
    },
  },
});

export const READ_API_MODELS = [
  PoolSummaryModel,
  HostModel,
  NetworkModel,
  VmModel,
  AddressModel,
  MigrationModel,
  AclRuleModel,
  RuleHitsModel,
  HostRuleHitsModel,
  AddressSetModel,
  SecurityGroupModel,
  MirrorModel,
  CounterModel,
  AdviceModel,
];
