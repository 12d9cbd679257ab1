import { describe, expect, it } from 'vitest';
import { diffPoolStates, touchedObjects } from './pool.diff.js';
import { evolve } from './pool.evolve.js';
import { serializePoolState } from './pool.snapshot.js';
import { initialPoolState } from './pool.state.js';
import { ev, external, hostJoined, poolCreated, POOL_ID } from './testing/pool.fixtures.js';
import { type PoolEvent } from './pool.events.js';

const fold = (events: PoolEvent[]) => serializePoolState(events.reduce(evolve, initialPoolState()));

const base: PoolEvent[] = [poolCreated, hostJoined('host-a'), external('prod', 'eth1')];

describe('diffPoolStates', () => {
  it('is empty between equal states and lists every object of a new pool as added', () => {
    expect(diffPoolStates(fold(base), fold(base))).toEqual([]);
    const added = diffPoolStates(fold([]), fold(base));
    expect(added.map((c) => `${c.change} ${c.kind}/${c.id}`)).toEqual([
      `added pool/${POOL_ID}`,
      'added hosts/host-a',
      'added networks/prod',
    ]);
    expect(added[2]!.fields).toContainEqual({ field: 'mtu', to: 1500 });
  });

  it('names changed fields down to a PIF, and removed objects with what they held', () => {
    const after = [
      ...base,
      ev('PifMtuChanged', { hostId: 'host-a', device: 'eth1', mtu: 9000 }),
      ev('NetworkRenamed', { networkId: 'prod', name: 'production' }),
      ev('VmCreated', { vmId: 'web', name: 'web' }),
    ];
    const changes = diffPoolStates(fold(after), fold(base));
    expect(changes).toEqual([
      {
        kind: 'hosts',
        id: 'host-a',
        change: 'changed',
        fields: [{ field: 'pifs.eth1.mtu', from: 9000, to: 1500 }],
      },
      {
        kind: 'networks',
        id: 'prod',
        change: 'changed',
        fields: [{ field: 'name', from: 'production', to: 'prod' }],
      },
      {
        kind: 'vms',
        id: 'web',
        change: 'removed',
        fields: [
          { field: 'id', from: 'web' },
          { field: 'name', from: 'web' },
          { field: 'powerState', from: 'halted' },
          { field: 'residentHostId', from: null },
        ],
      },
    ]);
  });
});

describe('touchedObjects', () => {
  it('names the event’s object and the ones it links, scopes included', () => {
    expect(touchedObjects(poolCreated, POOL_ID)).toEqual([`pool/${POOL_ID}`]);
    expect(
      touchedObjects(
        {
          type: 'MirrorCreated',
          data: { mirrorId: 'm', source: { kind: 'vif', vifId: 'a' }, destinationVifId: 'b' },
        },
        POOL_ID,
      ).sort(),
    ).toEqual(['mirrors/m', 'vifs/a', 'vifs/b']);
    expect(
      touchedObjects(
        {
          type: 'MigrationCompleted',
          data: { migrationId: 'g', vmId: 'v', fromHostId: 'a', toHostId: 'b' },
        },
        POOL_ID,
      ).sort(),
    ).toEqual(['hosts/a', 'hosts/b', 'migrations/g', 'vms/v']);
  });
});
