import { describe, expect, it } from 'vitest';
import type { PoolCommand } from '../pool.commands.js';
import { NOW, POOL_ID, cmd, ev, given, poolCreated } from '../testing/pool.fixtures.js';

describe('CreatePool', () => {
  it('creates the pool, with a trimmed name', () => {
    given([])
      .when(cmd('CreatePool', { poolId: POOL_ID, name: '  lab  ' }))
      .then([ev('PoolCreated', { poolId: POOL_ID, name: 'lab', createdAt: NOW })]);
  });

  it('refuses a pool that exists', () => {
    given([poolCreated])
      .when(cmd('CreatePool', { poolId: POOL_ID, name: 'x' }))
      .then('POOL_EXISTS');
  });

  it.each(['', 'a b', 'a.b', 'a/b', '-a', 'x'.repeat(64), 'Lab', 'lab_1'])(
    'refuses the id %j',
    (poolId) => {
      given([])
        .when(cmd('CreatePool', { poolId, name: 'lab' }))
        .then('INVALID_ID');
    },
  );

  it.each([
    '',
    '   ',
    'x'.repeat(65),
    'tab\there',
    'line\nbreak',
    'nul\u0000',
    'del\u007f',
    'a\u2028b',
  ])('refuses the name %j', (name) => {
    given([])
      .when(cmd('CreatePool', { poolId: POOL_ID, name }))
      .then('INVALID_NAME');
  });

  it('counts characters, not UTF-16 units, in names', () => {
    const name = '🛰'.repeat(64);
    given([])
      .when(cmd('CreatePool', { poolId: POOL_ID, name }))
      .then([ev('PoolCreated', { poolId: POOL_ID, name, createdAt: NOW })]);
  });
});

describe('RenamePool', () => {
  it('renames', () => {
    given([poolCreated])
      .when(cmd('RenamePool', { name: 'prod' }))
      .then([ev('PoolRenamed', { name: 'prod' })]);
  });

  it('decides nothing for the same name', () => {
    given([poolCreated])
      .when(cmd('RenamePool', { name: ' lab ' }))
      .then([]);
  });

  it('refuses a bad name', () => {
    given([poolCreated])
      .when(cmd('RenamePool', { name: '' }))
      .then('INVALID_NAME');
  });
});

describe('any command', () => {
  it('needs the pool to exist', () => {
    const error = given([])
      .when(cmd('CreateVm', { vmId: 'vm1', name: 'vm1' }))
      .then('POOL_NOT_FOUND');
    expect(error.kind).toBe('not_found');
  });

  it('refuses an unknown command type', () => {
    const unknown = {
      ...cmd('RenamePool', { name: 'x' }),
      type: 'Reboot',
    } as unknown as PoolCommand;
    given([poolCreated]).when(unknown).then('UNKNOWN_COMMAND');
  });
});
