import { poolEvent, replayPool, type PoolEvent } from '@pool/domain';
import { describe, expect, it } from 'vitest';
import { decideHookCommand } from './hook-decision.js';

const created = [poolEvent('VmCreated', { vmId: 'web', name: 'web' })];
const runningOn = (host: string): PoolEvent[] => [
  ...created,
  poolEvent('VmStarted', { vmId: 'web', hostId: host }),
];
const migrating = (from: string, to: string): PoolEvent[] => [
  ...runningOn(from),
  poolEvent('MigrationRequested', {
    ...{ migrationId: 'm1', vmId: 'web', fromHostId: from, toHostId: to },
    requestedAt: '2026-12-07T00:00:00Z',
    acceptIsolation: false,
  }),
];

const decide = (events: PoolEvent[], operation: string, extra = '-') =>
  decideHookCommand(replayPool(events), 'h2', 'web', operation as never, extra, () => 'new-id');

describe('what a libvirt hook call on h2 means to the pool', () => {
  it.each(['start', 'started', 'reconnect', 'attach'])('%s starts a halted VM here', (op) => {
    expect(decide(created, op)).toMatchObject({
      command: { type: 'StartVm', data: { vmId: 'web', hostId: 'h2' } },
    });
  });

  it('an incoming migration requests one to here', () => {
    expect(decide(runningOn('h1'), 'migrate')).toMatchObject({
      command: {
        type: 'RequestMigration',
        // libvirt moves it whatever the pool answers: the log follows, peers or not.
        data: { migrationId: 'new-id', vmId: 'web', toHostId: 'h2', acceptIsolation: true },
      },
      reason: 'incoming migration from h1',
    });
  });

  it('a start here while the log places the VM elsewhere, with no migration, draws it here', () => {
    expect(decide(runningOn('h1'), 'started')).toMatchObject({
      command: { type: 'RequestMigration', data: { toHostId: 'h2' } },
    });
  });

  it.each([
    [runningOn('h2'), 'started', 'already runs here'],
    [migrating('h1', 'h2'), 'started', 'already migrating here (migration m1)'],
    [migrating('h1', 'h2'), 'migrate', 'already migrating here (migration m1)'],
    [migrating('h2', 'h3'), 'started', 'migrating from h2 to h3'],
    [created, 'migrate', 'halted: an offline move; starting it here will place it'],
    [runningOn('h2'), 'prepare', 'nothing to do at prepare'],
    [runningOn('h2'), 'restore', 'nothing to do at restore'],
  ])('sends nothing when it need not (%#)', (events, op, why) => {
    expect(decide(events, op)).toEqual({ skip: why });
  });

  it.each(['stopped', 'release'])('%s stops a VM that runs here, naming this host', (op) => {
    expect(decide(runningOn('h2'), op)).toMatchObject({
      command: { type: 'StopVm', data: { vmId: 'web', hostId: 'h2' } },
    });
  });

  it.each([
    [runningOn('h2'), 'migrated', 'migrated away: the migration moves its ports'],
    [migrating('h2', 'h1'), '-', 'a migration from h2 to h1 is under way'],
    [runningOn('h1'), '-', 'runs on h1, not here'],
    [created, '-', 'already halted'],
  ])('a stop here leaves a VM that moved or is moving alone (%#)', (events, extra, why) => {
    expect(decide(events, 'release', extra)).toEqual({ skip: why });
  });

  it('knows no VM the log does not hold', () => {
    expect(decideHookCommand(replayPool([]), 'h2', 'web', 'started', '-', () => 'x')).toEqual({
      skip: 'no VM web in the pool (as this host has read the log)',
    });
  });
});
