import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DomainError } from '../core/errors.js';
import { generatedMac } from '../net/mac.js';
import type { PoolCommand } from './pool.commands.js';
import { poolDecider, replayPool } from './pool.decider.js';
import { serializePoolState } from './pool.snapshot.js';
import type { PoolState } from './pool.state.js';
import { hostHasDevice, vmNetworks } from './slices/uplinks.js';
import {
  POOL_ID,
  checkIndexes,
  cmd,
  external,
  hostJoined,
  poolCreated,
  privateNetwork,
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
const scope = fc.oneof(
  network.map((networkId) => ({ kind: 'network', networkId }) as const),
  vif.map((vifId) => ({ kind: 'vif', vifId }) as const),
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
  .record({ ruleId: pick('r1', 'r2'), scope, priority: pick(1, 2) })
  .map((data) =>
    cmd('CreateAclRule', {
      ...data,
      direction: 'ingress',
      match: { protocol: 'any' },
      action: 'drop',
    }),
  );
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
  createAclRule,
  pick('r1', 'r2').map((ruleId) => cmd('DeleteAclRule', { ruleId })),
  createMirror,
  {
    weight: 4,
    arbitrary: fc
      .record({ migrationId: migration, vmId: vm, toHostId: host })
      .map((d) => cmd('RequestMigration', d)),
  },
  { weight: 6, arbitrary: migrationStep },
  migration.map((migrationId) => cmd('AbortMigration', { migrationId, reason: 'timeout' })),
);

/** Two hosts, three networks and two VMs, so that most commands find something to act on. */
const seed = [
  poolCreated,
  hostJoined('h1', ['eth0', 'eth1', 'eth2', 'eth3']),
  hostJoined('h2', ['eth0', 'eth1', 'eth2']),
  external('n1', 'eth1'),
  external('n2', 'eth2', 1),
  privateNetwork('n3'),
  vmCreated('vm1'),
  vmCreated('vm2'),
];

const expectInvariants = (state: PoolState): void => {
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
      (n) => n.kind === 'private' || hostHasDevice(state, hostId, n.device),
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
