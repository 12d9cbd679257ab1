import fc from 'fast-check';
import {
  isDomainError,
  poolDecider,
  type PoolCommand,
  type PoolCommandType,
  type PoolEvent,
  type PoolState,
} from '@pool/domain';

/*
 * Random pools for property tests: command sequences over a few ids, decided and evolved by
 * the real decider (refused commands are dropped), so every state is one the log can hold.
 */

const NOW = '2025-01-02T03:04:05.000Z';

export const cmd = <T extends PoolCommandType>(
  type: T,
  data: Extract<PoolCommand, { type: T }>['data'],
): Extract<PoolCommand, { type: T }> =>
  ({ type, data, metadata: { now: NOW, actor: 'test' } }) as Extract<PoolCommand, { type: T }>;

const pick = <const T>(...values: T[]) => fc.constantFrom(...values);
const host = pick('h1', 'h2', 'h3');
const network = pick('n1', 'n2', 'n3', 'n4');
const vm = pick('vm1', 'vm2', 'vm3', 'vm4');
const vif = pick('vif1', 'vif2', 'vif3', 'vif4', 'vif5', 'vif6', 'vif7', 'vif8');
const group = pick('g1', 'g2');
const addressSet = pick('s1', 's2');
const scope = fc.oneof(
  network.map((networkId) => ({ kind: 'network', networkId }) as const),
  vif.map((vifId) => ({ kind: 'vif', vifId }) as const),
  group.map((groupId) => ({ kind: 'group', groupId }) as const),
);
const policy = pick('allow', 'deny');
const cidrs = fc.subarray(['10.0.0.0/24', '10.9.0.7/32', 'fd00::/64']);
const qos = fc.option(
  fc.record({
    ingressKbps: pick(0, 1000),
    ingressBurstKb: pick(0, 100),
    egressKbps: pick(0, 2000),
    egressBurstKb: pick(0, 200),
  }),
  { nil: null },
);

const joinHost = fc
  .record({ hostId: host, extra: fc.subarray(['eth1', 'eth2']) })
  .map(({ hostId, extra }) =>
    cmd('JoinHost', {
      hostId,
      name: hostId,
      address: `192.0.2.${hostId.length}`,
      managementDevice: 'eth0',
      pifs: ['eth0', ...extra].map((device, i) => ({
        device,
        mac: `00:16:3e:00:0${hostId.slice(1)}:0${i + 1}`,
        mtu: 1500,
        speedMbps: 1000,
        carrier: true,
      })),
    }),
  );

const createNetwork = fc
  .record({
    networkId: network,
    device: pick('eth0', 'eth1', 'eth2', 'bond0'),
    vlan: fc.option(pick(10, 20)),
    kind: pick('external', 'private', 'overlay'),
  })
  .map(({ networkId, device, vlan, kind }) =>
    cmd(
      'CreateNetwork',
      kind === 'external'
        ? { networkId, name: networkId, purpose: 'vm', kind, device, vlan }
        : { networkId, name: networkId, purpose: 'vm', kind },
    ),
  );

/** A host's tunnel endpoint on its management PIF, or none. */
const tunnelEndpoint = fc.record({ hostId: host, clear: fc.boolean() }).map(({ hostId, clear }) =>
  cmd('SetTunnelEndpoint', {
    hostId,
    device: clear ? null : 'eth0',
    address: clear ? null : `192.0.2.${hostId.slice(1)}`,
  }),
);

const aclRule = fc
  .record({
    ruleId: pick('r1', 'r2', 'r3'),
    scope,
    priority: pick(1, 2, 3),
    direction: pick('from-vm', 'to-vm'),
    protocol: pick('any', 'icmp', 'tcp'),
    remote: fc.oneof(
      fc.constant({}),
      addressSet.map((addressSetId) => ({ addressSetId })),
      group.map((remoteGroupId) => ({ remoteGroupId })),
    ),
    action: pick('allow', 'drop'),
  })
  .map(({ protocol, remote, ...rest }) =>
    cmd('CreateAclRule', {
      ...rest,
      match: { ...(protocol === 'tcp' ? { protocol, portFrom: 22 } : { protocol }), ...remote },
    }),
  );

/** Security groups, address sets and default policies, each changed after the fact too. */
const policyCommands: fc.Arbitrary<PoolCommand>[] = [
  fc
    .record({ groupId: group, defaultPolicy: policy })
    .map((d) => cmd('CreateSecurityGroup', { ...d, name: d.groupId })),
  fc.record({ groupId: group, defaultPolicy: policy }).map((d) => cmd('SetSecurityGroupPolicy', d)),
  group.map((groupId) => cmd('DeleteSecurityGroup', { groupId })),
  fc
    .record({ addressSetId: addressSet, cidrs })
    .map((d) => cmd('CreateAddressSet', { ...d, name: d.addressSetId })),
  fc.record({ addressSetId: addressSet, cidrs }).map((d) => cmd('UpdateAddressSet', d)),
  addressSet.map((addressSetId) => cmd('DeleteAddressSet', { addressSetId })),
  fc
    .record({ networkId: network, defaultPolicy: policy })
    .map((d) => cmd('SetNetworkAclDefault', d)),
];
const membership = fc
  .record({ groupId: group, vifId: vif, add: fc.boolean() })
  .map(({ add, ...d }) => cmd(add ? 'AddSecurityGroupMember' : 'RemoveSecurityGroupMember', d));

const command: fc.Arbitrary<PoolCommand> = fc.oneof(
  { weight: 2, arbitrary: joinHost },
  host.map((hostId) => cmd('DisableHost', { hostId })),
  host.map((hostId) => cmd('EjectHost', { hostId })),
  fc
    .record({ bondId: pick('b1'), hostId: host })
    .map((d) =>
      cmd('CreateBond', { ...d, device: 'bond0', members: ['eth1', 'eth2'], mode: 'lacp' }),
    ),
  { weight: 2, arbitrary: createNetwork },
  tunnelEndpoint,
  network.map((networkId) => cmd('DestroyNetwork', { networkId })),
  fc.record({ networkId: network, mtu: pick(1400, 9000) }).map((d) => cmd('UpdateNetwork', d)),
  vm.map((vmId) => cmd('CreateVm', { vmId, name: vmId })),
  { weight: 8, arbitrary: fc.record({ vmId: vm, hostId: host }).map((d) => cmd('StartVm', d)) },
  vm.map((vmId) => cmd('StopVm', { vmId })),
  vm.map((vmId) => cmd('DestroyVm', { vmId })),
  {
    weight: 10,
    arbitrary: fc
      .record({
        vifId: vif,
        vmId: vm,
        device: pick(0, 1),
        networkId: network,
        qos,
        portSecurity: fc.boolean(),
        ipv4: fc.option(pick('10.0.0.1', '10.0.0.2'), { nil: undefined }),
        ipv6: fc.option(pick('fd00::1', 'fd00::2'), { nil: undefined }),
        extraIps: fc.subarray(['10.0.0.7']),
      })
      .map((d) => cmd('CreateVif', d)),
  },
  fc.record({ vifId: vif, qos }).map((d) => cmd('UpdateVif', d)),
  vif.map((vifId) => cmd('DestroyVif', { vifId })),
  { weight: 3, arbitrary: aclRule },
  ...policyCommands.map((arbitrary) => ({ weight: 1, arbitrary })),
  { weight: 6, arbitrary: membership },
  pick('r1', 'r2', 'r3').map((ruleId) => cmd('DeleteAclRule', { ruleId })),
  {
    weight: 4,
    arbitrary: fc
      .record({ mirrorId: pick('m1', 'm2'), source: scope, destinationVifId: vif })
      .map((d) => cmd('CreateMirror', { ...d, direction: 'both' })),
  },
  {
    weight: 3,
    arbitrary: fc
      .record({
        migrationId: pick('g1', 'g2'),
        vmId: vm,
        toHostId: host,
        // Without it, a VM with private-network peers on its host stays (PRIVATE_NETWORK_PEERS).
        acceptIsolation: fc.boolean(),
      })
      .map((d) => cmd('RequestMigration', d)),
  },
  {
    weight: 4,
    arbitrary: fc
      .record({
        migrationId: pick('g1', 'g2'),
        type: pick('PrepareMigration', 'ActivateMigration', 'CompleteMigration'),
      })
      .map(({ migrationId, type }) => cmd(type, { migrationId })),
  },
);

const join = (hostId: string, devices: string[]) =>
  cmd('JoinHost', {
    hostId,
    name: hostId,
    address: hostId,
    managementDevice: 'eth0',
    pifs: devices.map((device, i) => ({
      device,
      mac: `00:16:3e:00:0${hostId.slice(1)}:0${i + 1}`,
      mtu: 1500,
      speedMbps: 1000,
      carrier: true,
    })),
  });

/** Hosts, networks and VMs to act on, so that random commands mostly place VIFs. */
export const SEED: PoolCommand[] = [
  join('h1', ['eth0', 'eth1', 'eth2']),
  join('h2', ['eth0', 'eth1']),
  cmd('CreateNetwork', {
    networkId: 'n1',
    name: 'n1',
    purpose: 'vm',
    kind: 'external',
    device: 'eth0',
  }),
  cmd('CreateNetwork', {
    networkId: 'n2',
    name: 'n2',
    purpose: 'vm',
    kind: 'external',
    device: 'eth1',
    vlan: 10,
  }),
  cmd('CreateNetwork', { networkId: 'n3', name: 'n3', purpose: 'vm', kind: 'private' }),
  cmd('SetTunnelEndpoint', { hostId: 'h1', device: 'eth0', address: '192.0.2.1' }),
  cmd('SetTunnelEndpoint', { hostId: 'h2', device: 'eth0', address: '192.0.2.2' }),
  cmd('CreateNetwork', { networkId: 'n4', name: 'n4', purpose: 'vm', kind: 'overlay' }),
  cmd('CreateVm', { vmId: 'vm1', name: 'vm1' }),
  cmd('CreateVm', { vmId: 'vm2', name: 'vm2' }),
  cmd('CreateVm', { vmId: 'vm3', name: 'vm3' }),
  // VMs on the overlay, so that starting them on two hosts builds a tunnel mesh.
  cmd('CreateVif', { vifId: 'vo1', vmId: 'vm1', device: 3, networkId: 'n4' }),
  cmd('CreateVif', { vifId: 'vo2', vmId: 'vm2', device: 3, networkId: 'n4' }),
];

/** Folds commands into a fresh pool `p1`, keeping the events of the accepted ones. */
export function decideAll(commands: PoolCommand[]): { state: PoolState; events: PoolEvent[] } {
  const state = poolDecider.initialState();
  const events: PoolEvent[] = [];
  for (const c of [cmd('CreatePool', { poolId: 'p1', name: 'p1' }), ...commands]) {
    let decided: PoolEvent[];
    try {
      decided = poolDecider.decide(c, state);
    } catch (error) {
      if (isDomainError(error)) continue;
      throw error;
    }
    for (const event of decided) {
      poolDecider.evolve(state, event);
      events.push(event);
    }
  }
  return { state, events };
}

/** A group made, given a member and named as a rule's remote: rare from single commands. */
const remoteGroupScenario: fc.Arbitrary<PoolCommand[]> = fc
  .record({ groupId: group, defaultPolicy: policy, vifId: vif, rule: aclRule })
  .map(({ groupId, defaultPolicy, vifId, rule }) => [
    cmd('CreateSecurityGroup', { groupId, name: groupId, defaultPolicy }),
    cmd('AddSecurityGroupMember', { groupId, vifId }),
    { ...rule, data: { ...rule.data, match: { protocol: 'any', remoteGroupId: groupId } } },
  ]);

export const commands = (maxLength = 80): fc.Arbitrary<PoolCommand[]> =>
  fc
    .array(
      fc.oneof(
        { weight: 20, arbitrary: command.map((c) => [c]) },
        { weight: 1, arbitrary: remoteGroupScenario },
      ),
      { minLength: 5, maxLength, size: 'max' },
    )
    .map((lists) => lists.flat());

export const HOSTS = ['h1', 'h2', 'h3'] as const;
