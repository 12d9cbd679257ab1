import { describe, expect, it } from 'vitest';
import { replayPool } from '../pool.decider.js';
import {
  NOW,
  cmd,
  ev,
  given,
  hostJoined,
  lab,
  overlayNetwork,
  privateNetwork,
  vifCreated,
  vmCreated,
  vmStarted,
} from '../testing/pool.fixtures.js';

const running = [...lab, vifCreated('vif1', 'vm1', 'lan'), vmStarted('vm1', 'h1')];
const request = (toHostId = 'h2', migrationId = 'm1') =>
  cmd('RequestMigration', { migrationId, vmId: 'vm1', toHostId });
const requested = ev('MigrationRequested', {
  migrationId: 'm1',
  vmId: 'vm1',
  fromHostId: 'h1',
  toHostId: 'h2',
  requestedAt: NOW,
  acceptIsolation: false,
});
const prepared = ev('MigrationPrepared', {
  migrationId: 'm1',
  vmId: 'vm1',
  activation: 'coordinator',
});
const activated = ev('MigrationActivated', {
  migrationId: 'm1',
  vmId: 'vm1',
  activatedBy: 'coordinator',
  announcedAt: null,
});
const completed = ev('MigrationCompleted', {
  migrationId: 'm1',
  vmId: 'vm1',
  fromHostId: 'h1',
  toHostId: 'h2',
});
const step = (type: 'PrepareMigration' | 'ActivateMigration' | 'CompleteMigration') =>
  cmd(type, { migrationId: 'm1' });
const abort = (reason = 'target not ready in 30 s') =>
  cmd('AbortMigration', { migrationId: 'm1', reason });

describe('RequestMigration', () => {
  it('requests a move from the resident host', () => {
    given(running).when(request()).then([requested]);
  });

  it('refuses a halted VM', () => {
    given(lab).when(request()).then('VM_NOT_RUNNING');
  });

  it('refuses a second migration of the same VM', () => {
    const error = given([...running, requested])
      .when(request('h2', 'm2'))
      .then('VM_MIGRATING');
    expect(error.details).toEqual({ vmId: 'vm1', migrationId: 'm1' });
  });

  it('refuses an id in use', () => {
    given([...running, requested])
      .when(request())
      .then('MIGRATION_EXISTS');
  });

  it('refuses the host the VM is on', () => {
    const error = given(running).when(request('h1')).then('MIGRATION_TO_SAME_HOST');
    expect(error.kind).toBe('invalid');
  });

  it('refuses an unknown or disabled target', () => {
    given(running).when(request('h9')).then('HOST_NOT_FOUND');
    given([...running, ev('HostDisabled', { hostId: 'h2' })])
      .when(request())
      .then('HOST_DISABLED');
  });

  it('refuses a target without the VM networks, listing them, before anything changes', () => {
    const error = given([...running, hostJoined('h3', ['eth0'])])
      .when(request('h3'))
      .then('MISSING_UPLINKS');
    expect(error.details).toMatchObject({ hostId: 'h3', networks: [{ networkId: 'lan' }] });
  });
});

describe('RequestMigration off a host-local private network', () => {
  // vm1 on `priv` with vm2 beside it on h1, and vm3 on `priv` too but on h2.
  const beside = [
    ...running,
    vifCreated('vif1p', 'vm1', 'priv', { device: 1 }),
    vmCreated('vm2'),
    vifCreated('vif2', 'vm2', 'priv'),
    vmStarted('vm2', 'h1'),
    vmCreated('vm3'),
    vifCreated('vif3', 'vm3', 'priv'),
    vmStarted('vm3', 'h2'),
  ];
  const accepting = (acceptIsolation: boolean) =>
    cmd('RequestMigration', { migrationId: 'm1', vmId: 'vm1', toHostId: 'h2', acceptIsolation });

  it('refuses to leave the peers running on the source, naming them and the network', () => {
    const error = given(beside).when(request()).then('PRIVATE_NETWORK_PEERS');
    expect(error.kind).toBe('conflict');
    expect(error.message).toContain('priv with VM(s) vm2;');
    expect(error.message).toContain('acceptIsolation: true');
    expect(error.details).toEqual({
      vmId: 'vm1',
      hostId: 'h1',
      networks: [
        { networkId: 'priv', name: 'priv', peerCount: 1, peers: [{ vmId: 'vm2', name: 'vm2' }] },
      ],
    });
  });

  it('refuses with acceptIsolation false as when it is absent', () => {
    given(beside).when(accepting(false)).then('PRIVATE_NETWORK_PEERS');
  });

  it('migrates when the request accepts the isolation, and records that it did', () => {
    given(beside)
      .when(accepting(true))
      .then([ev('MigrationRequested', { ...requested.data, acceptIsolation: true })]);
  });

  it('names every cut network and each peer by name and id, in id order', () => {
    const error = given([
      ...beside,
      privateNetwork('back'),
      vifCreated('vif1b', 'vm1', 'back', { device: 2 }),
      vmCreated('db'),
      ev('VmRenamed', { vmId: 'db', name: 'database' }),
      vifCreated('vifdb', 'db', 'back'),
      vifCreated('vifdb2', 'db', 'priv', { device: 1 }),
      vmStarted('db', 'h1'),
    ])
      .when(request())
      .then('PRIVATE_NETWORK_PEERS');
    expect(error.message).toContain(
      'back with VM(s) database (db); priv with VM(s) database (db), vm2;',
    );
    expect(error.details?.networks).toEqual([
      { networkId: 'back', name: 'back', peerCount: 1, peers: [{ vmId: 'db', name: 'database' }] },
      {
        networkId: 'priv',
        name: 'priv',
        peerCount: 2,
        peers: [
          { vmId: 'db', name: 'database' },
          { vmId: 'vm2', name: 'vm2' },
        ],
      },
    ]);
  });

  it('counts no peer that is halted or runs on another host', () => {
    given([...beside, ev('VmStopped', { vmId: 'vm2', hostId: 'h1' })])
      .when(request())
      .then([requested]);
  });

  it('leaves an overlay network out: it follows the VM to the target', () => {
    const endpoint = (hostId: string, address: string) =>
      ev('TunnelEndpointSet', { hostId, device: 'eth0', address });
    given([
      ...lab,
      endpoint('h1', '192.0.2.1'),
      endpoint('h2', '192.0.2.2'),
      overlayNetwork('ov', 1),
      vifCreated('vif1', 'vm1', 'ov'),
      vmStarted('vm1', 'h1'),
      vmCreated('vm2'),
      vifCreated('vif2', 'vm2', 'ov'),
      vmStarted('vm2', 'h1'),
    ])
      .when(request())
      .then([requested]);
  });

  it('refuses an acceptIsolation that is not a boolean', () => {
    given(beside)
      .when(cmd('RequestMigration', { ...request().data, acceptIsolation: 'yes' as never }))
      .then('INVALID_OPTION');
  });
});

describe('the migration saga', () => {
  it('goes requested → prepared → activated → completed', () => {
    given([...running, requested])
      .when(step('PrepareMigration'))
      .then([prepared]);
    given([...running, requested, prepared])
      .when(step('ActivateMigration'))
      .then([activated]);
    given([...running, requested, prepared, activated])
      .when(step('CompleteMigration'))
      .then([completed]);
  });

  it('leaves the VM resident on the target once completed, and free to migrate again', () => {
    const done = [...running, requested, prepared, activated, completed];
    const state = replayPool(done);
    expect(state.vms.get('vm1')).toMatchObject({ powerState: 'running', residentHostId: 'h2' });
    expect(state.migrations.size).toBe(0);
    given(done)
      .when(cmd('StopVm', { vmId: 'vm1' }))
      .then([ev('VmStopped', { vmId: 'vm1', hostId: 'h2' })]);
    given(done)
      .when(request('h1', 'm2'))
      .then([
        ev('MigrationRequested', {
          migrationId: 'm2',
          vmId: 'vm1',
          fromHostId: 'h2',
          toHostId: 'h1',
          requestedAt: NOW,
          acceptIsolation: false,
        }),
      ]);
  });

  it('decides nothing when a step is repeated', () => {
    given([...running, requested, prepared])
      .when(step('PrepareMigration'))
      .then([]);
    given([...running, requested, prepared, activated])
      .when(step('ActivateMigration'))
      .then([]);
  });

  it.each([
    ['activate a requested migration', [requested], 'ActivateMigration'],
    ['complete a prepared migration', [requested, prepared], 'CompleteMigration'],
    ['prepare an activated migration', [requested, prepared, activated], 'PrepareMigration'],
  ] as const)('refuses to %s', (_, events, type) => {
    given([...running, ...events])
      .when(step(type))
      .then('MIGRATION_INVALID_TRANSITION');
  });

  it('aborts before activation, leaving the VM on the source', () => {
    const aborted = ev('MigrationAborted', {
      migrationId: 'm1',
      vmId: 'vm1',
      reason: 'target not ready in 30 s',
    });
    given([...running, requested])
      .when(abort())
      .then([aborted]);
    given([...running, requested, prepared])
      .when(abort())
      .then([aborted]);
    const state = replayPool([...running, requested, prepared, aborted]);
    expect(state.vms.get('vm1')?.residentHostId).toBe('h1');
    expect(state.indexes.migrationByVm.size).toBe(0);
  });

  it('refuses to abort once activated', () => {
    given([...running, requested, prepared, activated])
      .when(abort())
      .then('MIGRATION_INVALID_TRANSITION');
  });

  it('refuses an empty reason', () => {
    given([...running, requested])
      .when(abort(' '))
      .then('INVALID_TEXT');
  });

  it('refuses unknown or finished migrations', () => {
    given(running).when(step('PrepareMigration')).then('MIGRATION_NOT_FOUND');
    given([...running, requested, prepared, activated, completed])
      .when(step('CompleteMigration'))
      .then('MIGRATION_NOT_FOUND');
  });
});

describe('A migration the VM activates', () => {
  const at = '2026-12-08T01:00:00.123Z';
  const preparedByVm = ev('MigrationPrepared', {
    migrationId: 'm1',
    vmId: 'vm1',
    activation: 'vm',
  });
  const stepped = [...running, requested];

  it('records who will activate it at prepared', () => {
    given(stepped)
      .when(cmd('PrepareMigration', { migrationId: 'm1', activation: 'vm' }))
      .then([preparedByVm]);
    given(stepped)
      .when(cmd('PrepareMigration', { migrationId: 'm1' }))
      .then([prepared]);
    given(stepped)
      .when(cmd('PrepareMigration', { migrationId: 'm1', activation: 'hypervisor' as 'vm' }))
      .then('INVALID_OPTION');
  });

  it("records the datapath's activation with the announcement's time", () => {
    given([...stepped, preparedByVm])
      .when(cmd('ActivateMigration', { migrationId: 'm1', announcedAt: at }))
      .then([
        ev('MigrationActivated', {
          migrationId: 'm1',
          vmId: 'vm1',
          activatedBy: 'datapath',
          announcedAt: at,
        }),
      ]);
  });

  it('refuses an announcement for a migration the coordinator activates, or a bad time', () => {
    given([...stepped, prepared])
      .when(cmd('ActivateMigration', { migrationId: 'm1', announcedAt: at }))
      .then('MIGRATION_NOT_VM_ACTIVATED');
    given([...stepped, preparedByVm])
      .when(cmd('ActivateMigration', { migrationId: 'm1', announcedAt: 'yesterday' }))
      .then('INVALID_TIMESTAMP');
  });
});
