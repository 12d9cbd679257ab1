import { type PoolCommand, type PoolCommandType } from './pool.commands.js';
import { type PoolObjectKind, diffPoolStates, type ObjectChange } from './pool.diff.js';
import { type PoolSnapshot } from './pool.snapshot.js';
import type {
  AclRule,
  AddressSet,
  Bond,
  HostInterface,
  Mirror,
  Network,
  Pif,
  SecurityGroup,
  Vif,
  Vm,
} from './pool.types.js';

/*
 * A pool's configuration as commands (issue 22): export (the commands that build it in an
 * empty pool) and the revert plan (the commands that bring one configuration back to another,
 * and what they cannot bring back, with the reason). Pure: the master sends the commands, the
 * decider still decides each.
 */

type DataOf<T extends PoolCommandType> = Extract<PoolCommand, { type: T }>['data'];

/** A command as sent to the master: its type and data (REST body, NATS `data`). */
export interface PlannedCommand<T extends PoolCommandType = PoolCommandType> {
  type: T;
  data: DataOf<T>;
}

/** What a plan leaves as it is, and why; the operator decides. */
export interface NotPlanned {
  kind: PoolObjectKind;
  id: string;
  reason: string;
}

export interface CommandPlan {
  commands: PlannedCommand[];
  notPlanned: NotPlanned[];
}

const command = <T extends PoolCommandType>(type: T, data: DataOf<T>): PlannedCommand => ({
  type,
  data,
});

type HostJson = PoolSnapshot['hosts'][number];

// ---------------------------------------------------------------------------------------------
// One object's creation

const inventory = ({ device, mac, mtu, speedMbps, carrier }: Pif) => ({
  device,
  mac,
  mtu,
  speedMbps,
  carrier,
});

function createHost(host: HostJson): PlannedCommand[] {
  const management = host.pifs.find((pif) => pif.role === 'management');
  const commands = [
    command('JoinHost', {
      hostId: host.id,
      name: host.name,
      address: host.address,
      pifs: host.pifs.map(inventory),
      managementDevice: management?.device ?? host.pifs[0]?.device ?? '',
    }),
  ];
  for (const pif of host.pifs) {
    if (pif.role !== 'management' && pif.role !== 'unused') {
      commands.push(command('SetPifRole', { hostId: host.id, device: pif.device, role: pif.role }));
    }
  }
  if (host.tunnel) {
    commands.push(command('SetTunnelEndpoint', { hostId: host.id, ...host.tunnel }));
  }
  commands.push(...host.interfaces.map((i) => configureInterface(host.id, i)));
  if (host.state === 'disabled') commands.push(command('DisableHost', { hostId: host.id }));
  return commands;
}

const configureInterface = (hostId: string, i: HostInterface) =>
  command('ConfigureHostInterface', { hostId, ...i, dns: [...i.dns] });

const createBond = (bond: Bond) =>
  command('CreateBond', {
    bondId: bond.id,
    hostId: bond.hostId,
    device: bond.device,
    members: bond.members,
    mode: bond.mode,
  });

function createNetwork(network: Network): PlannedCommand[] {
  const { id, name, purpose, mtu } = network;
  const uplink =
    network.kind === 'external'
      ? { kind: 'external' as const, device: network.device, vlan: network.vlan }
      : // An overlay created again gets the pool's next VNI: VNIs are never reused.
        { kind: network.kind };
  const commands = [command('CreateNetwork', { networkId: id, name, purpose, mtu, ...uplink })];
  if (network.aclDefault !== 'allow') {
    commands.push(
      command('SetNetworkAclDefault', { networkId: id, defaultPolicy: network.aclDefault }),
    );
  }
  return commands;
}

const createVm = (vm: Vm) => command('CreateVm', { vmId: vm.id, name: vm.name });

const createVif = (vif: Vif) =>
  command('CreateVif', {
    vifId: vif.id,
    vmId: vif.vmId,
    device: vif.device,
    networkId: vif.networkId,
    mac: vif.mac,
    ipv4: vif.ipv4,
    ipv6: vif.ipv6,
    extraIps: vif.extraIps,
    allowedPairs: vif.allowedPairs,
    qos: vif.qos,
    portSecurity: vif.portSecurity,
  });

const createAddressSet = (set: AddressSet) =>
  command('CreateAddressSet', { addressSetId: set.id, name: set.name, cidrs: set.cidrs });

const createGroup = (group: SecurityGroup) =>
  command('CreateSecurityGroup', {
    groupId: group.id,
    name: group.name,
    defaultPolicy: group.defaultPolicy,
  });

const members = (group: SecurityGroup, vifIds: readonly string[] = group.vifIds) =>
  vifIds.map((vifId) => command('AddSecurityGroupMember', { groupId: group.id, vifId }));

const createRule = (rule: AclRule) =>
  command('CreateAclRule', {
    ruleId: rule.id,
    scope: rule.scope,
    direction: rule.direction,
    priority: rule.priority,
    match: rule.match,
    action: rule.action,
    stateless: rule.stateless,
  });

const createMirror = (mirror: Mirror) =>
  command('CreateMirror', {
    mirrorId: mirror.id,
    source: mirror.source,
    direction: mirror.direction,
    destinationVifId: mirror.destinationVifId,
  });

// ---------------------------------------------------------------------------------------------
// Export

/** Runtime, not configuration: where VMs run and migrations in flight are not exported. */
function runtimeLeftOut(s: PoolSnapshot): NotPlanned[] {
  return [
    ...s.vms
      .filter((vm) => vm.powerState === 'running')
      .map((vm) => ({
        kind: 'vms' as const,
        id: vm.id,
        reason: `running on ${vm.residentHostId ?? '?'}: where a VM runs is not configuration; start it after the import`,
      })),
    ...s.migrations.map((m) => ({
      kind: 'migrations' as const,
      id: m.id,
      reason: 'a migration in flight is not configuration',
    })),
  ];
}

/**
 * The commands that build `s` in a new, empty pool `poolId`, in an order the decider accepts:
 * hosts (with their NIC roles), bonds, address sets, networks, groups, VMs, VIFs (with their
 * MACs and addresses), memberships, rules, mirrors. Host inventories are as the pool last saw
 * them: a real host rejoins with its own.
 */
export function exportPoolCommands(s: PoolSnapshot, poolId = s.id): CommandPlan {
  const commands: PlannedCommand[] = [
    command('CreatePool', { poolId, name: s.name }),
    ...s.hosts.flatMap(createHost),
    ...s.bonds.map(createBond),
    ...s.addressSets.map(createAddressSet),
    ...s.networks.flatMap(createNetwork),
    ...s.securityGroups.map(createGroup),
    ...s.vms.map(createVm),
    ...s.vifs.map(createVif),
    ...s.securityGroups.flatMap((group) => members(group)),
    ...s.aclRules.map(createRule),
    ...s.mirrors.map(createMirror),
  ];
  return { commands, notPlanned: runtimeLeftOut(s) };
}

// ---------------------------------------------------------------------------------------------
// Revert

const byId = <T extends { id: string }>(list: T[]) => new Map(list.map((o) => [o.id, o]));

/** The fields of each kind that are runtime or reported, never reverted. */
const NOT_CONFIGURATION: Partial<Record<PoolObjectKind, RegExp>> = {
  pool: /^(status|createdAt)$/,
  vms: /^(powerState|residentHostId)$/,
  hosts: /^(joinedAt|pifs\.[^.]+\.(mac|speedMbps|carrier))$/,
};

/** Plan steps, in the order they run: removals, then changes, then creations. */
interface Steps {
  remove: Record<
    'mirrors' | 'rules' | 'members' | 'vifs' | 'vms' | 'groups' | 'networks' | 'sets' | 'bonds',
    PlannedCommand[]
  >;
  change: PlannedCommand[];
  create: Record<
    'bonds' | 'sets' | 'networks' | 'groups' | 'vms' | 'vifs' | 'members' | 'rules' | 'mirrors',
    PlannedCommand[]
  >;
}

/**
 * The commands that bring configuration `now` back to `target`'s, and what they cannot bring
 * back, with the reason: hosts come and go from the hosts themselves, a running VM is not
 * destroyed, a network's uplink and an object's name without a rename command are set once.
 * Runtime (where VMs run, migrations) is left as it is.
 */
export function revertPlan(now: PoolSnapshot, target: PoolSnapshot): CommandPlan {
  const steps: Steps = {
    remove: {
      mirrors: [],
      rules: [],
      members: [],
      vifs: [],
      vms: [],
      groups: [],
      networks: [],
      sets: [],
      bonds: [],
    },
    change: [],
    create: {
      bonds: [],
      sets: [],
      networks: [],
      groups: [],
      vms: [],
      vifs: [],
      members: [],
      rules: [],
      mirrors: [],
    },
  };
  const notPlanned: NotPlanned[] = [];
  const refuse = (change: ObjectChange, reason: string) =>
    notPlanned.push({ kind: change.kind, id: change.id, reason });
  const was = {
    hosts: byId(now.hosts),
    networks: byId(now.networks),
    vms: byId(now.vms),
    vifs: byId(now.vifs),
    groups: byId(now.securityGroups),
  };
  const will = {
    bonds: byId(target.bonds),
    networks: byId(target.networks),
    vms: byId(target.vms),
    vifs: byId(target.vifs),
    sets: byId(target.addressSets),
    groups: byId(target.securityGroups),
    rules: byId(target.aclRules),
    mirrors: byId(target.mirrors),
  };
  const destroyedVms = new Set<string>();
  /** VMs created since that run now: they and their VIFs stay. */
  const keptVms = new Set<string>();

  for (const change of diffPoolStates(now, target)) {
    const skip = NOT_CONFIGURATION[change.kind];
    const fields = change.fields.filter((f) => !skip?.test(f.field));
    if (change.change === 'changed' && fields.length === 0) continue;
    const { id } = change;
    switch (change.kind) {
      case 'pool':
        if (change.change !== 'changed') refuse(change, 'the pool itself is created once');
        else steps.change.push(command('RenamePool', { name: target.name }));
        break;
      case 'hosts':
        if (change.change === 'added') {
          refuse(change, 'ejected since: a host rejoins from the host itself (JoinHost)');
        } else if (change.change === 'removed') {
          refuse(change, 'joined since: eject it (EjectHost) if it should go');
        } else
          hostChanges(id, fields, was.hosts.get(id)!, steps, (reason) => refuse(change, reason), {
            tunnel: target.hosts.find((h) => h.id === id)?.tunnel ?? null,
            interfaces: target.hosts.find((h) => h.id === id)?.interfaces ?? [],
          });
        break;
      case 'bonds':
        if (change.change !== 'added')
          steps.remove.bonds.push(command('DestroyBond', { bondId: id }));
        if (change.change !== 'removed') steps.create.bonds.push(createBond(will.bonds.get(id)!));
        break;
      case 'addressSets':
        if (change.change === 'added') steps.create.sets.push(createAddressSet(will.sets.get(id)!));
        else if (change.change === 'removed') {
          steps.remove.sets.push(command('DeleteAddressSet', { addressSetId: id }));
        } else if (fields.some((f) => f.field === 'name')) {
          refuse(change, 'an address set is not renamed: delete it and create it again');
        } else {
          const { cidrs } = will.sets.get(id)!;
          steps.change.push(command('UpdateAddressSet', { addressSetId: id, cidrs }));
        }
        break;
      case 'networks':
        if (change.change === 'added')
          steps.create.networks.push(...createNetwork(will.networks.get(id)!));
        else if (change.change === 'removed') {
          steps.remove.networks.push(command('DestroyNetwork', { networkId: id }));
        } else
          networkChanges(will.networks.get(id)!, fields, steps, (reason) => refuse(change, reason));
        break;
      case 'securityGroups':
        groupChange(change, fields, was.groups.get(id), will.groups.get(id), steps, refuse);
        break;
      case 'vms':
        if (change.change === 'added') steps.create.vms.push(createVm(will.vms.get(id)!));
        else if (change.change === 'removed') {
          if (was.vms.get(id)!.powerState === 'running') {
            keptVms.add(id);
            refuse(change, 'created since and running now: stop it, then revert again');
          } else {
            destroyedVms.add(id);
            steps.remove.vms.push(command('DestroyVm', { vmId: id }));
          }
        } else steps.change.push(command('RenameVm', { vmId: id, name: will.vms.get(id)!.name }));
        break;
      case 'vifs': {
        const before = was.vifs.get(id);
        if (before && !will.vifs.has(id) && keptVms.has(before.vmId)) {
          refuse(change, `its VM ${before.vmId} runs now and stays`);
        } else vifChange(change, fields, before, will.vifs.get(id), steps, destroyedVms);
        break;
      }
      case 'aclRules':
        if (change.change !== 'added')
          steps.remove.rules.push(command('DeleteAclRule', { ruleId: id }));
        if (change.change !== 'removed') steps.create.rules.push(createRule(will.rules.get(id)!));
        break;
      case 'mirrors':
        if (change.change !== 'added')
          steps.remove.mirrors.push(command('DeleteMirror', { mirrorId: id }));
        if (change.change !== 'removed')
          steps.create.mirrors.push(createMirror(will.mirrors.get(id)!));
        break;
      case 'migrations':
        break; // runtime
    }
  }
  // A VIF whose VM goes goes with it (DestroyVm), and so do the rules and mirrors on it.
  const commands = [
    ...Object.values(steps.remove).flat(),
    ...steps.change,
    ...Object.values(steps.create).flat(),
  ];
  return { commands, notPlanned };
}

function hostChanges(
  hostId: string,
  fields: ObjectChange['fields'],
  host: HostJson,
  steps: Steps,
  refuse: (reason: string) => void,
  target: Pick<HostJson, 'tunnel' | 'interfaces'>,
): void {
  let tunnel = false;
  let interfaces = false;
  for (const f of fields) {
    const pif = /^pifs\.([^.]+)\.(role|mtu)$/.exec(f.field);
    if (/^interfaces\b/.test(f.field)) {
      // The target's interfaces as they were, each in one command; the management one moves.
      if (!interfaces) {
        const kept = new Set(target.interfaces.map((i) => i.name));
        for (const i of host.interfaces.filter((i) => !kept.has(i.name))) {
          steps.change.push(command('RemoveHostInterface', { hostId, name: i.name }));
        }
        steps.change.push(...target.interfaces.map((i) => configureInterface(hostId, i)));
      }
      interfaces = true;
    } else if (/^tunnel\b/.test(f.field)) {
      // One command for the endpoint, whichever of its fields changed.
      if (!tunnel) {
        const { device = null, address = null } = target.tunnel ?? {};
        steps.change.push(command('SetTunnelEndpoint', { hostId, device, address }));
      }
      tunnel = true;
    } else if (f.field === 'state') {
      steps.change.push(command(f.to === 'enabled' ? 'EnableHost' : 'DisableHost', { hostId }));
    } else if (pif?.[2] === 'mtu' && typeof f.to === 'number') {
      steps.change.push(command('SetPifMtu', { hostId, device: pif[1]!, mtu: f.to }));
    } else if (pif?.[2] === 'role' && f.to !== 'management' && f.from !== 'management') {
      steps.change.push(
        command('SetPifRole', { hostId, device: pif[1]!, role: f.to as Pif['role'] }),
      );
    } else {
      refuse(`${f.field} of ${host.name} is the host's own (its inventory, its management NIC)`);
    }
  }
}

function networkChanges(
  network: Network,
  fields: ObjectChange['fields'],
  steps: Steps,
  refuse: (reason: string) => void,
): void {
  const networkId = network.id;
  const named = fields.map((f) => f.field);
  if (named.includes('name') || named.includes('mtu')) {
    steps.change.push(
      command('UpdateNetwork', { networkId, name: network.name, mtu: network.mtu }),
    );
  }
  if (named.includes('aclDefault')) {
    steps.change.push(
      command('SetNetworkAclDefault', { networkId, defaultPolicy: network.aclDefault }),
    );
  }
  const fixed = named.filter((f) => !['name', 'mtu', 'aclDefault'].includes(f));
  if (fixed.length > 0) {
    refuse(`${fixed.join(', ')} of a network are set once: destroy it and create it again`);
  }
}

function groupChange(
  change: ObjectChange,
  fields: ObjectChange['fields'],
  before: SecurityGroup | undefined,
  after: SecurityGroup | undefined,
  steps: Steps,
  refuse: (change: ObjectChange, reason: string) => void,
): void {
  const groupId = change.id;
  if (!before) {
    steps.create.groups.push(createGroup(after!));
    steps.create.members.push(...members(after!));
    return;
  }
  if (!after) {
    steps.remove.groups.push(command('DeleteSecurityGroup', { groupId }));
    return;
  }
  if (fields.some((f) => f.field === 'name')) {
    refuse(change, 'a security group is not renamed: delete it and create it again');
  }
  if (before.defaultPolicy !== after.defaultPolicy) {
    steps.change.push(
      command('SetSecurityGroupPolicy', { groupId, defaultPolicy: after.defaultPolicy }),
    );
  }
  const leaving = before.vifIds.filter((v) => !after.vifIds.includes(v));
  const joining = after.vifIds.filter((v) => !before.vifIds.includes(v));
  for (const vifId of leaving) {
    steps.remove.members.push(command('RemoveSecurityGroupMember', { groupId, vifId }));
  }
  steps.create.members.push(...members(after, joining));
}

/** What UpdateVif may set; anything else of a VIF is set once (destroyed and created again). */
const UPDATABLE_VIF_FIELDS = ['ipv4', 'ipv6', 'extraIps', 'allowedPairs', 'qos', 'portSecurity'];

function vifChange(
  change: ObjectChange,
  fields: ObjectChange['fields'],
  before: Vif | undefined,
  after: Vif | undefined,
  steps: Steps,
  destroyedVms: Set<string>,
): void {
  const vifId = change.id;
  const top = fields.map((f) => f.field.split('.')[0]!);
  const recreate = before && after && top.some((f) => !UPDATABLE_VIF_FIELDS.includes(f));
  if (before && (!after || recreate) && !destroyedVms.has(before.vmId)) {
    steps.remove.vifs.push(command('DestroyVif', { vifId }));
  }
  if (after && (!before || recreate)) steps.create.vifs.push(createVif(after));
  else if (before && after) {
    steps.change.push(
      command('UpdateVif', {
        vifId,
        ipv4: after.ipv4,
        ipv6: after.ipv6,
        extraIps: after.extraIps,
        allowedPairs: after.allowedPairs,
        qos: after.qos,
        portSecurity: after.portSecurity,
      }),
    );
  }
}
