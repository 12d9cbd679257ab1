import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemoryVSwitchDriver } from '../drivers/memory/memory-driver.js';
import { digest } from '../model/canonical.js';
import { desiredState } from '../model/desired-state.js';
import type { NetworkKind, PoolTopology, TopologyVif } from '../model/topology.js';
import { reconcile } from '../reconcile.js';
import { plan } from './plan.js';

const NICS = ['eth0', 'eth1', 'eth2', 'eth3'];
const HOSTS = ['h1', 'h2'];

const kind: fc.Arbitrary<NetworkKind> = fc.oneof(
  fc.constant({ type: 'private' as const }),
  fc.record(
    {
      type: fc.constant('external' as const),
      device: fc.constantFrom(...NICS, 'bond0'),
      vlan: fc.integer({ min: 1, max: 4094 }),
    },
    { requiredKeys: ['type', 'device'] },
  ),
);

const vif = (i: number): fc.Arbitrary<TopologyVif> =>
  fc.record({
    id: fc.constant(`vif${i}`),
    vmId: fc.constantFrom('vm0', 'vm1', 'vm2', 'vm3'),
    device: fc.constant(i),
    networkId: fc.constantFrom('n0', 'n1', 'n2', 'n3'),
    mac: fc.constantFrom('02:00:00:00:00:01', '02:00:00:00:00:02', '02:00:00:00:00:03'),
    ipv4: fc.option(fc.constantFrom('10.0.0.1', '10.0.0.2'), { nil: undefined }),
    portSecurity: fc.boolean(),
    qos: fc.option(
      fc.record({
        ingressKbps: fc.nat(5),
        ingressBurstKb: fc.nat(5),
        egressKbps: fc.nat(5),
        egressBurstKb: fc.nat(5),
      }),
      { nil: undefined },
    ),
  });

/** Small pools of ids so that random topologies overlap and plans must modify, not only add. */
const topologies: fc.Arbitrary<PoolTopology> = fc.record({
  hosts: fc.tuple(fc.subarray(NICS, { minLength: 1 }), fc.boolean()).map(([pifs, bonded]) => [
    {
      id: 'h1',
      name: 'h1',
      state: 'enabled' as const,
      pifs: pifs.map((device) => ({ device, mac: '02:aa:00:00:00:01', mtu: 1500 })),
      bonds: bonded
        ? [{ device: 'bond0', members: ['eth2', 'eth3'], mode: 'balance-slb' as const }]
        : [],
    },
  ]),
  networks: fc
    .tuple(fc.tuple(kind, kind, kind, kind), fc.constantFrom(1500, 9000), fc.subarray(['n0', 'n1']))
    .map(([kinds, mtu, denying]) =>
      kinds.map((k, i) => ({
        id: `n${i}`,
        name: `n${i}`,
        kind: k,
        mtu,
        ...(denying.includes(`n${i}`) ? { aclDefault: 'deny' as const } : {}),
      })),
    ),
  vms: fc
    .tuple(...[0, 1, 2, 3].map(() => fc.option(fc.constantFrom(...HOSTS), { nil: undefined })))
    .map((hosts) =>
      hosts.map((host, i) => ({
        id: `vm${i}`,
        name: `vm${i}`,
        powerState: host ? ('running' as const) : ('halted' as const),
        residentHost: host,
      })),
    ),
  vifs: fc.tuple(vif(0), vif(1), vif(2), vif(3), vif(4)).chain((all) => fc.subarray(all)),
  acls: fc.uniqueArray(
    fc.record({
      id: fc.constantFrom('a0', 'a1', 'a2'),
      scope: fc.oneof(
        fc.record({ networkId: fc.constantFrom('n0', 'n1') }),
        fc.record({ vifId: fc.constantFrom('vif0', 'vif1') }),
        fc.record({ groupId: fc.constantFrom('g0', 'g1') }),
      ),
      direction: fc.constantFrom('ingress' as const, 'egress' as const),
      priority: fc.nat(3),
      match: fc.oneof(
        fc.constant({ protocol: 'icmp' as const }),
        fc.record({ protocol: fc.constant('tcp' as const), addressSetId: fc.constant('s0') }),
        fc.record({
          protocol: fc.constant('any' as const),
          remoteGroupId: fc.constantFrom('g0', 'g1'),
        }),
      ),
      action: fc.constantFrom('allow' as const, 'drop' as const),
    }),
    { maxLength: 3, selector: (a) => a.id },
  ),
  mirrors: fc.array(
    fc.record({
      id: fc.constantFrom('m0', 'm1'),
      source: fc.record({ networkId: fc.constantFrom('n0', 'n1', 'n2', 'n3') }),
      direction: fc.constantFrom('ingress' as const, 'egress' as const, 'both' as const),
      destinationVifId: fc.constantFrom('vif0', 'vif1', 'vif2'),
    }),
    { maxLength: 2 },
  ),
  migrations: fc.array(
    fc.record({
      vmId: fc.constantFrom('vm0', 'vm1'),
      fromHost: fc.constantFrom(...HOSTS),
      toHost: fc.constantFrom(...HOSTS),
      phase: fc.constantFrom('requested' as const, 'prepared' as const, 'activated' as const),
    }),
    { maxLength: 1 },
  ),
  addressSets: fc
    .subarray(['10.0.0.0/24', '10.0.1.7/32', 'fd00::/64'])
    .map((cidrs) => [{ id: 's0', cidrs }]),
  securityGroups: fc.uniqueArray(
    fc.record({
      id: fc.constantFrom('g0', 'g1'),
      defaultPolicy: fc.constantFrom('allow' as const, 'deny' as const),
      vifIds: fc.subarray(['vif0', 'vif1', 'vif2', 'vif3', 'vif4']),
    }),
    { maxLength: 2, selector: (g) => g.id },
  ),
});

describe('plan (property)', () => {
  it('takes any switch state to any desired state in one pass, and then plans nothing', async () => {
    await fc.assert(
      fc.asyncProperty(topologies, topologies, async (before, after) => {
        const driver = new MemoryVSwitchDriver();
        await reconcile(driver, desiredState(before, 'h1'));
        const desired = desiredState(after, 'h1');
        await reconcile(driver, desired);
        const actual = await driver.readActual();
        expect(digest(actual)).toBe(digest(desired));
        expect(plan(desired, actual)).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });
});
