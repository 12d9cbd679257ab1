import { describe, expect, it } from 'vitest';
import { evolve } from './pool.evolve.js';
import { type PoolEvent } from './pool.events.js';
import { exportPoolCommands, revertPlan } from './pool.export.js';
import { serializePoolState } from './pool.snapshot.js';
import { initialPoolState } from './pool.state.js';
import {
  ev,
  external,
  hostJoined,
  poolCreated,
  POOL_ID,
  privateNetwork,
  vifCreated,
  vmCreated,
  vmStarted,
} from './testing/pool.fixtures.js';

const fold = (events: PoolEvent[]) => serializePoolState(events.reduce(evolve, initialPoolState()));

const atN: PoolEvent[] = [
  poolCreated,
  hostJoined('host-a'),
  external('prod', 'eth1'),
  privateNetwork('back'),
  vmCreated('db'),
  vifCreated('db-0', 'db', 'back'),
];
const since: PoolEvent[] = [
  ev('NetworkRenamed', { networkId: 'prod', name: 'production' }),
  ev('VmDestroyed', { vmId: 'db' }),
  ev('VifDestroyed', { vifId: 'db-0', vmId: 'db', networkId: 'back', mac: '' }),
  vmCreated('web'),
  vifCreated('web-0', 'web', 'back'),
  vmStarted('web', 'host-a'),
  vmCreated('idle'),
  hostJoined('host-b'),
];

describe('exportPoolCommands', () => {
  it('builds the pool from nothing, runtime left out', () => {
    const { commands, notPlanned } = exportPoolCommands(fold([...atN, vmStarted('db', 'host-a')]));
    expect(commands.map((c) => c.type)).toEqual([
      'CreatePool',
      'JoinHost',
      'CreateNetwork',
      'CreateNetwork',
      'CreateVm',
      'CreateVif',
    ]);
    expect(commands[0]!.data).toEqual({ poolId: POOL_ID, name: 'lab' });
    expect(notPlanned).toEqual([
      { kind: 'vms', id: 'db', reason: expect.stringContaining('running on host-a') as string },
    ]);
  });
});

describe('revertPlan', () => {
  it('removes, changes and recreates; a running VM and a joined host are listed, not touched', () => {
    const { commands, notPlanned } = revertPlan(fold([...atN, ...since]), fold(atN));
    expect(commands.map((c) => `${c.type} ${JSON.stringify(c.data)}`)).toEqual([
      'DestroyVm {"vmId":"idle"}',
      'UpdateNetwork {"networkId":"prod","name":"prod","mtu":1500}',
      'CreateVm {"vmId":"db","name":"db"}',
      expect.stringMatching(
        /^CreateVif \{"vifId":"db-0","vmId":"db","device":0,"networkId":"back"/,
      ),
    ]);
    expect(notPlanned.map((n) => `${n.kind}/${n.id}`)).toEqual([
      'hosts/host-b',
      'vms/web',
      'vifs/web-0',
    ]);
    expect(notPlanned[1]!.reason).toContain('running now');
  });
});
