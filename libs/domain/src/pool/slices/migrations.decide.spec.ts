import { describe, expect, it } from 'vitest';
import { replayPool } from '../pool.decider.js';
import {
  NOW,
  cmd,
  ev,
  given,
  hostJoined,
  lab,
  vifCreated,
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
});
const prepared = ev('MigrationPrepared', { migrationId: 'm1', vmId: 'vm1' });
const activated = ev('MigrationActivated', { migrationId: 'm1', vmId: 'vm1' });
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
