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

describe('overlay networks in an export and a revert (issue 19)', () => {
  const endpoint = (address: string | null) =>
    address === null
      ? ev('TunnelEndpointCleared', { hostId: 'host-a' })
      : ev('TunnelEndpointSet', { hostId: 'host-a', device: 'eth0', address });
  const overlay = ev('NetworkCreated', {
    networkId: 'ov',
    name: 'ov',
    purpose: 'vm',
    mtu: 1450,
    kind: 'overlay',
    vni: 4,
  });

  it('exports the endpoint after its host and the overlay network as one', () => {
    const { commands } = exportPoolCommands(
      fold([poolCreated, hostJoined('host-a'), endpoint('192.0.2.1'), overlay]),
    );
    expect(commands.slice(1).map((c) => [c.type, c.data])).toEqual([
      ['JoinHost', expect.objectContaining({ hostId: 'host-a' })],
      ['SetTunnelEndpoint', { hostId: 'host-a', device: 'eth0', address: '192.0.2.1' }],
      ['CreateNetwork', { networkId: 'ov', name: 'ov', purpose: 'vm', mtu: 1450, kind: 'overlay' }],
    ]);
  });

  it('reverts a moved endpoint with one SetTunnelEndpoint', () => {
    const at = [poolCreated, hostJoined('host-a'), endpoint('192.0.2.1')];
    const { commands } = revertPlan(fold([...at, endpoint('192.0.2.9')]), fold(at));
    expect(commands.map((c) => [c.type, c.data])).toEqual([
      ['SetTunnelEndpoint', { hostId: 'host-a', device: 'eth0', address: '192.0.2.1' }],
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
