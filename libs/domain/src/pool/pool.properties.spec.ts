import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DomainError } from '../core/errors.js';
import { generatedMac } from '../net/mac.js';
import type { PoolCommand } from './pool.commands.js';
import { poolDecider, replayPool } from './pool.decider.js';
import { serializePoolState } from './pool.snapshot.js';
import { scopeKey, type PoolState } from './pool.state.js';
import type { Scope } from './pool.types.js';
import { matchesOverlap, stateSetCidrs } from './slices/acl-match.js';
import { hostHasDevice, vmNetworks } from './slices/uplinks.js';
import {
  POOL_ID,
  checkIndexes,
  cmd,
  ev,
  external,
  hostJoined,
  poolCreated,
  privateNetwork,
  vifCreated,
  vmCreated,
} from './testing/pool.fixtures.js';

/*
 * Random command sequences over a few ids, so that most commands hit existing objects and many
 * are refused. After every command: a refusal changed nothing, decide never changed the state,
 * and the pool invariants of DESIGN §1 hold.
 */

const pick = <const T>(...values: T[]) => fc.constantFrom(...values);
const host = pick('h1', 'h2', 'h3');
const device = pick('eth0', 'eth1', 'eth2', 'eth3');
const uplinkDevice = pick('eth1', 'eth2', 'eth3', 'bond0');
const network = pick('n1', 'n2', 'n3', 'n4');
const vm = pick('vm1', 'vm2', 'vm3');
const vif = pick('vif1', 'vif2', 'vif3', 'vif4', 'vif5', 'vif6');
const mac = fc.option(pick('52:54:00:00:00:01', '52:54:00:00:00:02', generatedMac(POOL_ID, 3)), {
  nil: undefined,
});
const ip = fc.option(pick('10.0.0.1', '10.0.0.2'), { nil: undefined });
const group = pick('sg1', 'sg2');
const addressSet = pick('as1', 'as2');
const scope = fc.oneof(
  network.map((networkId) => ({ kind: 'network', networkId }) as const),
  vif.map((vifId) => ({ kind: 'vif', vifId }) as const),
  group.map((groupId) => ({ kind: 'group', groupId }) as const),
);
const setContent = fc.subarray(['10.0.0.0/8', '10.1.0.0/16', '192.0.2.1', '2001:db8::/32']);
const remote = fc.oneof(
  fc.constant({}),
  pick('10.0.0.0/8', '192.0.2.0/24').map((cidr) => ({ cidr })),
  addressSet.map((addressSetId) => ({ addressSetId })),
  group.map((remoteGroupId) => ({ remoteGroupId })),
);
const migration = pick('g1', 'g2');

const joinHost = fc
  .record({ hostId: host, extra: fc.subarray(['eth1', 'eth2', 'eth3']) })
  .map(({ hostId, extra }) =>
    cmd('JoinHost', {
      hostId,
      name: hostId,
      address: hostId,
      managementDevice: 'eth0',
      pifs: ['eth0', ...extra].map((d, i) => ({
        device: d,
        mac: `00:16:3e:00:00:0${i + 1}`,
        mtu: 1500,
        speedMbps: 1000,
        carrier: true,
      })),
    }),
  );
const createBond = fc
  .record({
    bondId: pick('b1', 'b2'),
    hostId: host,
    members: fc.subarray(['eth1', 'eth2', 'eth3']),
  })
  .map((data) => cmd('CreateBond', { ...data, device: 'bond0', mode: 'lacp' }));
const createNetwork = fc
  .record({
    networkId: network,
    device: uplinkDevice,
    vlan: fc.option(pick(1, 2)),
    priv: fc.boolean(),
  })
  .map(({ networkId, device: d, vlan, priv }) =>
    cmd(
      'CreateNetwork',
      priv
        ? { networkId, name: networkId, purpose: 'vm', kind: 'private' }
        : { networkId, name: networkId, purpose: 'vm', kind: 'external', device: d, vlan },
    ),
  );
const createVif = fc
  .record({ vifId: vif, vmId: vm, device: pick(0, 1), networkId: network, mac, ipv4: ip })
  .map((data) => cmd('CreateVif', data));
const createAclRule = fc
  .record({ ruleId: pick('r1', 'r2', 'r3'), scope, priority: pick(1, 2), remote })
  .map(({ remote: r, ...data }) =>
    cmd('CreateAclRule', {
      ...data,
      direction: 'from-vm',
      match: { protocol: 'any', ...r },
      action: 'drop',
    }),
  );
/** Address sets, security groups and their members, and network defaults. */
const groupCommands = [
  fc
    .record({ addressSetId: addressSet, cidrs: setContent })
    .map((d) => cmd('CreateAddressSet', { ...d, name: d.addressSetId })),
  {
    weight: 2,
    arbitrary: fc
      .record({ addressSetId: addressSet, cidrs: setContent })
      .map((d) => cmd('UpdateAddressSet', d)),
  },
  addressSet.map((addressSetId) => cmd('DeleteAddressSet', { addressSetId })),
  group.map((groupId) => cmd('CreateSecurityGroup', { groupId, name: groupId })),
  fc
    .record({ groupId: group, defaultPolicy: pick('allow', 'deny') })
    .map((d) => cmd('SetSecurityGroupPolicy', d)),
  {
    weight: 5,
    arbitrary: fc
      .record({ groupId: group, vifId: vif })
      .map((d) => cmd('AddSecurityGroupMember', d)),
  },
  fc.record({ groupId: group, vifId: vif }).map((d) => cmd('RemoveSecurityGroupMember', d)),
  group.map((groupId) => cmd('DeleteSecurityGroup', { groupId })),
  fc
    .record({ networkId: network, defaultPolicy: pick('allow', 'deny') })
    .map((d) => cmd('SetNetworkAclDefault', d)),
] as const;
const createMirror = fc
  .record({ mirrorId: pick('m1'), source: scope, destinationVifId: vif })
  .map((data) => cmd('CreateMirror', { ...data, direction: 'both' }));
const migrationStep = fc
  .record({
    migrationId: migration,
    type: pick('PrepareMigration', 'ActivateMigration', 'CompleteMigration'),
  })
  .map(({ migrationId, type }) => cmd(type, { migrationId }));

/** Weighted so that VMs get VIFs, start and migrate more often than hosts leave. */
const command: fc.Arbitrary<PoolCommand> = fc.oneof(
  joinHost,
  host.map((hostId) => cmd('EnableHost', { hostId })),
  host.map((hostId) => cmd('DisableHost', { hostId })),
  host.map((hostId) => cmd('EjectHost', { hostId })),
  fc
    .record({ hostId: host, device, role: pick('management', 'vm', 'unused') })
    .map((data) => cmd('SetPifRole', data)),
  createBond,
  pick('b1', 'b2').map((bondId) => cmd('DestroyBond', { bondId })),
  createNetwork,
  network.map((networkId) => cmd('DestroyNetwork', { networkId })),
  vm.map((vmId) => cmd('CreateVm', { vmId, name: vmId })),
  { weight: 4, arbitrary: fc.record({ vmId: vm, hostId: host }).map((d) => cmd('StartVm', d)) },
  vm.map((vmId) => cmd('StopVm', { vmId })),
  vm.map((vmId) => cmd('DestroyVm', { vmId })),
  { weight: 5, arbitrary: createVif },
  { weight: 2, arbitrary: fc.record({ vifId: vif, ipv4: ip }).map((d) => cmd('UpdateVif', d)) },
  vif.map((vifId) => cmd('DestroyVif', { vifId })),
  { weight: 3, arbitrary: createAclRule },
  pick('r1', 'r2', 'r3').map((ruleId) => cmd('DeleteAclRule', { ruleId })),
  ...groupCommands,
  createMirror,
  {
    weight: 4,
    arbitrary: fc
      .record({ migrationId: migration, vmId: vm, toHostId: host, acceptIsolation: fc.boolean() })
      .map((d) => cmd('RequestMigration', d)),
  },
  { weight: 6, arbitrary: migrationStep },
  migration.map((migrationId) => cmd('AbortMigration', { migrationId, reason: 'timeout' })),
);

/**
 * Two hosts, three networks, two VMs with a VIF each, an address set and a security group, so
 * that most commands find something to act on.
 */
const seed = [
  poolCreated,
  hostJoined('h1', ['eth0', 'eth1', 'eth2', 'eth3']),
  hostJoined('h2', ['eth0', 'eth1', 'eth2']),
  external('n1', 'eth1'),
  external('n2', 'eth2', 1),
  privateNetwork('n3'),
  vmCreated('vm1'),
  vmCreated('vm2'),
  vifCreated('vif1', 'vm1', 'n1'),
  vifCreated('vif2', 'vm2', 'n3'),
  ev('AddressSetCreated', { addressSetId: 'as1', name: 'as1', cidrs: ['10.1.0.0/16'] }),
  ev('SecurityGroupCreated', { groupId: 'sg1', name: 'sg1', defaultPolicy: 'deny' }),
  ev('SecurityGroupMemberAdded', { groupId: 'sg1', vifId: 'vif1' }),
];

const scopeExists = (state: PoolState, scope: Scope): boolean =>
  scope.kind === 'network'
    ? state.networks.has(scope.networkId)
    : scope.kind === 'vif'
      ? state.vifs.has(scope.vifId)
      : state.securityGroups.has(scope.groupId);

/**
 * Rules and mirrors never name what is gone; members always exist; no two rules of a slot
 * overlap, with address sets as they hold now.
 */
const expectPolicyInvariants = (state: PoolState): void => {
  for (const g of state.securityGroups.values()) {
    expect(g.vifIds).toEqual([...new Set(g.vifIds)].sort());
    for (const vifId of g.vifIds) expect(state.vifs.has(vifId)).toBe(true);
  }
  const rules = [...state.aclRules.values()];
  for (const r of rules) {
    expect(scopeExists(state, r.scope)).toBe(true);
    const { cidr, addressSetId, remoteGroupId } = r.match;
    expect([cidr, addressSetId, remoteGroupId].filter((x) => x !== null).length).toBeLessThan(2);
    if (addressSetId !== null) expect(state.addressSets.has(addressSetId)).toBe(true);
    if (remoteGroupId !== null) expect(state.securityGroups.has(remoteGroupId)).toBe(true);
  }
  for (const m of state.mirrors.values()) {
    expect(scopeExists(state, m.source)).toBe(true);
    expect(state.vifs.has(m.destinationVifId)).toBe(true);
  }
  const setCidrs = stateSetCidrs(state);
  for (const [i, a] of rules.entries()) {
    for (const b of rules.slice(i + 1)) {
      const sameSlot =
        scopeKey(a.scope) === scopeKey(b.scope) &&
        a.direction === b.direction &&
        a.priority === b.priority;
      if (sameSlot) expect(matchesOverlap(a.match, b.match, setCidrs)).toBe(false);
    }
  }
};

const expectInvariants = (state: PoolState): void => {
  expectPolicyInvariants(state);
  const macs = [...state.vifs.values()].map((v) => v.mac);
  expect(new Set(macs).size).toBe(macs.length);
  const ips = [...state.vifs.values()].flatMap((v) => (v.ipv4 ? [`${v.networkId} ${v.ipv4}`] : []));
  expect(new Set(ips).size).toBe(ips.length);
  for (const h of state.hosts.values()) {
    expect([...h.pifs.values()].filter((p) => p.role === 'management')).toHaveLength(1);
  }
  for (const v of state.vifs.values()) {
    expect(state.vms.has(v.vmId) && state.networks.has(v.networkId)).toBe(true);
  }
  for (const bond of state.bonds.values()) {
    for (const member of bond.members) {
      const tagged = [...state.networks.values()].filter(
        (n) => n.kind === 'external' && n.device === member && n.vlan !== null,
      );
      expect(tagged).toEqual([]);
    }
  }
  const carried = (hostId: string, vmId: string) =>
    vmNetworks(state, vmId).every(
      (n) =>
        n.kind === 'private' ||
        (n.kind === 'overlay'
          ? state.hosts.get(hostId)?.tunnel != null
          : hostHasDevice(state, hostId, n.device)),
    );
  for (const v of state.vms.values()) {
    if (v.residentHostId === null) continue;
    expect(state.hosts.has(v.residentHostId)).toBe(true);
    expect(carried(v.residentHostId, v.id)).toBe(true);
  }
  for (const m of state.migrations.values()) {
    expect(state.vms.get(m.vmId)?.residentHostId).toBe(m.fromHostId);
    expect(carried(m.toHostId, m.vmId)).toBe(true);
  }
};

describe('the pool decider under random commands', () => {
  it('keeps its invariants, never mutates in decide, never reuses a generated MAC', () => {
    fc.assert(
      fc.property(fc.array(command, { minLength: 10, maxLength: 60, size: 'max' }), (commands) => {
        const state = replayPool(seed);
        const everUsed = new Set<string>();
        for (const c of commands) {
          const before = serializePoolState(state);
          let events;
          try {
            events = poolDecider.decide(c, state);
          } catch (error) {
            expect(error).toBeInstanceOf(DomainError);
            expect(serializePoolState(state)).toEqual(before);
            continue;
          }
          expect(serializePoolState(state)).toEqual(before);
          for (const event of events) {
            if (event.type === 'VifCreated') {
              if (event.data.macGenerated) expect(everUsed.has(event.data.mac)).toBe(false);
              everUsed.add(event.data.mac);
            }
            poolDecider.evolve(state, event);
          }
          expectInvariants(state);
        }
        checkIndexes(state);
      }),
      { numRuns: 100 },
    );
  }, 30_000);
});
