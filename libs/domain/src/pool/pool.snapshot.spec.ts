import { describe, expect, it } from 'vitest';
import { generatedMac } from '../net/mac.js';
import { poolDecider, replayPool } from './pool.decider.js';
import type { PoolEvent } from './pool.events.js';
import { POOL_STATE_VERSION, deserializePoolState, serializePoolState } from './pool.snapshot.js';
import {
  NOW,
  POOL_ID,
  cmd,
  ev,
  external,
  hostJoined,
  lab,
  vifCreated,
  vmCreated,
  vmStarted,
} from './testing/pool.fixtures.js';

const busyEvents = (): PoolEvent[] => [
  ...lab,
  hostJoined('h3', ['eth0', 'eth1', 'eth2', 'eth3']),
  ev('BondCreated', {
    bondId: 'b1',
    hostId: 'h3',
    device: 'bond0',
    members: ['eth2', 'eth3'],
    mode: 'lacp',
  }),
  external('bonded', 'bond0', 30),
  ev('HostDisabled', { hostId: 'h2' }),
  ev('PifMtuChanged', { hostId: 'h1', device: 'eth1', mtu: 9000 }),
  vmCreated('vm2'),
  vifCreated('vif1', 'vm1', 'lan', { ipv4: '10.0.0.1', ipv6: '2001:db8::1' }),
  vifCreated('vif2', 'vm1', 'vlan10', {
    device: 1,
    mac: generatedMac(POOL_ID, 6),
    qos: { ingressKbps: 1, ingressBurstKb: 2, egressKbps: 3, egressBurstKb: 4 },
  }),
  vifCreated('vif3', 'vm2', 'priv', { ipv4: '10.0.0.1' }),
  vmStarted('vm1', 'h1'),
  ev('AclRuleCreated', {
    ruleId: 'r1',
    scope: { kind: 'vif', vifId: 'vif1' },
    direction: 'to-vm',
    priority: 7,
    match: {
      protocol: 'tcp',
      cidr: '10.0.0.0/8',
      addressSetId: null,
      remoteGroupId: null,
      portFrom: 1,
      portTo: 1024,
    },
    action: 'allow',
    stateless: true,
  }),
  ev('AddressSetCreated', { addressSetId: 'as1', name: 'office', cidrs: ['192.0.2.0/24'] }),
  ev('SecurityGroupCreated', { groupId: 'sg1', name: 'web', defaultPolicy: 'deny' }),
  ev('SecurityGroupMemberAdded', { groupId: 'sg1', vifId: 'vif3' }),
  ev('SecurityGroupMemberAdded', { groupId: 'sg1', vifId: 'vif1' }),
  ev('NetworkAclDefaultChanged', { networkId: 'lan', defaultPolicy: 'deny' }),
  ev('AclRuleCreated', {
    ruleId: 'r2',
    scope: { kind: 'group', groupId: 'sg1' },
    direction: 'from-vm',
    priority: 7,
    match: {
      protocol: 'tcp',
      cidr: null,
      addressSetId: 'as1',
      remoteGroupId: null,
      portFrom: 443,
      portTo: 443,
    },
    action: 'allow',
    stateless: false,
  }),
  ev('AclRuleCreated', {
    ruleId: 'r3',
    scope: { kind: 'group', groupId: 'sg1' },
    direction: 'to-vm',
    priority: 7,
    match: {
      protocol: 'any',
      cidr: null,
      addressSetId: null,
      remoteGroupId: 'sg1',
      portFrom: null,
      portTo: null,
    },
    action: 'allow',
    stateless: false,
  }),
  ev('MirrorCreated', {
    mirrorId: 'm1',
    source: { kind: 'network', networkId: 'lan' },
    direction: 'ingress',
    destinationVifId: 'vif3',
  }),
  ev('MigrationRequested', {
    migrationId: 'g1',
    vmId: 'vm1',
    fromHostId: 'h1',
    toHostId: 'h3',
    requestedAt: NOW,
    acceptIsolation: false,
  }),
  ev('MigrationPrepared', { migrationId: 'g1', vmId: 'vm1', activation: 'coordinator' }),
];
const busy = () => replayPool(busyEvents());

/** The same pool without what pool-state/3 could not hold. */
const withoutGroups = (): PoolEvent[] =>
  busyEvents().filter(
    (event) =>
      !/^(AddressSet|SecurityGroup|NetworkAclDefault)/.test(event.type) &&
      !(event.type === 'AclRuleCreated' && event.data.scope.kind === 'group'),
  );

/** What pool-state/3 and /4 wrote for each direction (from-vm was `ingress`). */
const OLD_WORDS = { 'from-vm': 'ingress', 'to-vm': 'egress' } as const;

describe('pool state snapshots', () => {
  it('round-trip through JSON to an equal state, indexes included', () => {
    const state = busy();
    const json = JSON.parse(JSON.stringify(serializePoolState(state))) as unknown;
    const loaded = deserializePoolState(json);
    expect(loaded).toEqual(state);
    expect(serializePoolState(loaded)).toEqual(serializePoolState(state));
    expect(loaded.macSequence).toBe(7);
  });

  it('round-trip an empty stream', () => {
    const empty = poolDecider.initialState();
    expect(deserializePoolState(serializePoolState(empty))).toEqual(empty);
  });

  it('are tagged with the state version', () => {
    expect(serializePoolState(busy()).version).toBe(POOL_STATE_VERSION);
  });

  it('share nothing with the live state', () => {
    const state = busy();
    const snapshot = serializePoolState(state);
    const copy = JSON.stringify(snapshot);
    poolDecider.evolve(state, ev('PifMtuChanged', { hostId: 'h1', device: 'eth1', mtu: 1400 }));
    poolDecider.evolve(state, ev('VmRenamed', { vmId: 'vm1', name: 'renamed' }));
    expect(JSON.stringify(snapshot)).toBe(copy);
    const loaded = deserializePoolState(snapshot);
    poolDecider.evolve(loaded, ev('VmRenamed', { vmId: 'vm2', name: 'other' }));
    expect(JSON.stringify(snapshot)).toBe(copy);
  });

  it('decide as the state they came from', () => {
    const state = busy();
    const loaded = deserializePoolState(serializePoolState(state));
    const command = cmd('CreateVif', { vifId: 'vif9', vmId: 'vm2', device: 5, networkId: 'lan' });
    expect(poolDecider.decide(command, loaded)).toEqual(poolDecider.decide(command, state));
  });

  it('carry address sets, security groups (members sorted) and network defaults', () => {
    const snapshot = serializePoolState(busy());
    expect(snapshot.addressSets).toEqual([{ id: 'as1', name: 'office', cidrs: ['192.0.2.0/24'] }]);
    expect(snapshot.securityGroups).toEqual([
      { id: 'sg1', name: 'web', defaultPolicy: 'deny', vifIds: ['vif1', 'vif3'] },
    ]);
    expect(snapshot.networks.map((n) => [n.id, n.aclDefault])).toContainEqual(['lan', 'deny']);
    const loaded = deserializePoolState(snapshot);
    expect(loaded.indexes.groupsByVif.get('vif1')).toEqual(new Set(['sg1']));
    expect(loaded.indexes.aclRulesByAddressSet.get('as1')).toEqual(new Set(['r2']));
    expect(loaded.indexes.aclRulesByRemoteGroup.get('sg1')).toEqual(new Set(['r3']));
  });

  it('read a pool-state/3 snapshot, written before sets and groups, as the state it held', () => {
    // The state of a pool without sets or groups, as pool-state/3 wrote it.
    const state = replayPool(withoutGroups());
    const current = serializePoolState(state);
    const v3 = {
      ...current,
      version: 'pool-state/3',
      networks: current.networks.map(({ aclDefault: _, ...network }) => network),
      aclRules: current.aclRules.map(({ match, direction, ...rule }) => {
        const { addressSetId: _set, remoteGroupId: _group, ...v2Match } = match;
        return { ...rule, direction: OLD_WORDS[direction], match: v2Match };
      }),
      addressSets: undefined,
      securityGroups: undefined,
    };
    const loaded = deserializePoolState(JSON.parse(JSON.stringify(v3)));
    expect(loaded).toEqual(state);
    expect(serializePoolState(loaded).version).toBe(POOL_STATE_VERSION);
  });

  it('read a pool-state/4 snapshot, with ingress/egress directions, as the state it held', () => {
    const state = busy();
    const current = serializePoolState(state);
    const v4 = {
      ...current,
      version: 'pool-state/4',
      aclRules: current.aclRules.map((rule) => ({ ...rule, direction: OLD_WORDS[rule.direction] })),
    };
    expect(v4.aclRules.map((rule) => [rule.id, rule.direction])).toEqual([
      ['r1', 'egress'],
      ['r2', 'ingress'],
      ['r3', 'egress'],
    ]);
    const loaded = deserializePoolState(JSON.parse(JSON.stringify(v4)));
    expect(loaded).toEqual(state);
    expect([...loaded.aclRules.values()].map((rule) => rule.direction)).toEqual([
      'to-vm',
      'from-vm',
      'to-vm',
    ]);
  });

  it('read a pool-state/5 snapshot, from before overlay networks, with no endpoints or VNIs', () => {
    const state = busy();
    const { vniHighWater: _, ...current } = serializePoolState(state);
    const v5 = {
      ...current,
      version: 'pool-state/5',
      hosts: current.hosts.map(({ tunnel: _tunnel, ...host }) => host),
    };
    const loaded = deserializePoolState(JSON.parse(JSON.stringify(v5)));
    expect(loaded).toEqual(state);
    expect(loaded.vniHighWater).toBe(0);
    expect([...loaded.hosts.values()].map((host) => host.tunnel)).toEqual(
      [...state.hosts.values()].map(() => null),
    );
  });

  it.each([
    ['another version', { ...serializePoolState(busy()), version: 'pool-state/0' }],
    ['a missing list', { ...serializePoolState(busy()), vifs: undefined }],
    ['null', null],
    ['a string', 'pool'],
  ])('refuse %s', (_, json) => {
    expect(() => deserializePoolState(json)).toThrow(/replay the stream/);
  });
});
