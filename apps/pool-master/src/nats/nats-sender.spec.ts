import { describe, expect, it } from 'vitest';
import { COMMAND_ROLES } from '../api/command-roles.js';
import { natsPrincipal, requireOwnHost } from './nats-sender.js';

const refusal = (role: string, user: string, type: string) => {
  try {
    natsPrincipal({ role, user }, type);
    return undefined;
  } catch (error) {
    return error as { status: number; code: string; message: string };
  }
};

describe('natsPrincipal', () => {
  it("names the subject's user, as nats:<user>, with its role", () => {
    expect(natsPrincipal({ role: 'operator', user: 'scheduler' }, 'StartVm')).toEqual({
      name: 'nats:scheduler',
      role: 'operator',
    });
  });

  it.each(Object.entries(COMMAND_ROLES))('gives %s the role REST gives it (%s)', (type, needed) => {
    const admitted = (role: string) => refusal(role, 'u', type) === undefined;
    expect(['read-only', 'operator', 'admin'].filter(admitted)).toEqual(
      needed === 'admin' ? ['admin'] : ['operator', 'admin'],
    );
  });

  it('refuses a role below the command as REST does', () => {
    expect(refusal('operator', 'bob', 'CreateNetwork')).toMatchObject({
      status: 403,
      code: 'FORBIDDEN',
      message: 'This needs the admin role or above; NATS user bob has operator.',
    });
  });

  it.each([
    ['root', 'bob'],
    ['Admin', 'bob'],
    ['admin', 'b'.repeat(65)],
    ['admin', 'bøb'],
    ['admin', 'b\u0000b'],
  ])('refuses role %j, user %j as UNAUTHENTICATED', (role, user) => {
    expect(refusal(role, user, 'CreateVm')).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
  });

  it('needs admin for an unknown command, which is refused as unknown later', () => {
    expect(refusal('operator', 'bob', 'FormatDisk')?.code).toBe('FORBIDDEN');
    expect(refusal('admin', 'bob', 'FormatDisk')).toBeUndefined();
  });

  it('lets a host send the hook commands and its own rollback, and nothing else', () => {
    for (const type of ['StartVm', 'StopVm', 'RequestMigration', 'RecordNetworkRollback']) {
      expect(natsPrincipal({ role: 'host', user: 'host-1' }, type)).toEqual({
        name: 'nats:host-1',
        role: 'operator',
      });
    }
    for (const type of [
      'CreateVm',
      'DestroyVm',
      'ActivateMigration',
      'JoinHost',
      'ResetHostNetworking',
      'FormatDisk',
    ]) {
      expect(refusal('host', 'host-1', type)).toMatchObject({ status: 403, code: 'FORBIDDEN' });
    }
  });
});

describe('requireOwnHost', () => {
  const own = (type: string, data: object, role = 'host') => {
    try {
      requireOwnHost({ role, user: 'host-1' }, type, data);
      return undefined;
    } catch (error) {
      return error as { status: number; code: string; message: string };
    }
  };

  it("admits a host's command about itself", () => {
    expect(own('StartVm', { vmId: 'v', hostId: 'host-1' })).toBeUndefined();
    expect(own('StopVm', { vmId: 'v', hostId: 'host-1' })).toBeUndefined();
    expect(own('RequestMigration', { vmId: 'v', toHostId: 'host-1' })).toBeUndefined();
    expect(own('RecordNetworkRollback', { hostId: 'host-1', refusedVersion: 5 })).toBeUndefined();
  });

  it('refuses one about another host, or a StopVm that names no host', () => {
    expect(own('StartVm', { vmId: 'v', hostId: 'host-2' })).toMatchObject({
      status: 403,
      code: 'FORBIDDEN',
      message: 'A host sends StartVm only about itself: hostId must be host-1, not host-2.',
    });
    expect(own('StopVm', { vmId: 'v' })?.code).toBe('FORBIDDEN');
    expect(own('RequestMigration', { vmId: 'v', toHostId: 'host-2' })?.code).toBe('FORBIDDEN');
    // One host cannot put another on hold.
    expect(own('RecordNetworkRollback', { hostId: 'host-2', refusedVersion: 5 })?.code).toBe(
      'FORBIDDEN',
    );
  });

  it('leaves other roles to their role table', () => {
    expect(own('StartVm', { vmId: 'v', hostId: 'host-2' }, 'operator')).toBeUndefined();
  });
});
