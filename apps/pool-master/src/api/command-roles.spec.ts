import 'reflect-metadata';
import { describe, expect, it } from 'vitest';
import { API_CONTROLLERS } from './api.module.js';
import { COMMAND_ROLES } from './command-roles.js';
import { isCommandType } from './command-schemas/command-schemas.js';

/** What `@RequireRole` (libs/platform) and `@ApiCommand` (its `Runs X + Y.`) leave on a route. */
const REQUIRED_ROLE = 'poolnet:required-role';
const API_OPERATION = 'swagger/apiOperation';

const routes = API_CONTROLLERS.flatMap((controller) =>
  Object.getOwnPropertyNames(controller.prototype)
    .filter((method) => method !== 'constructor')
    .map((method) => {
      const handler = (controller.prototype as unknown as Record<string, object>)[method]!;
      const operation = Reflect.getMetadata(API_OPERATION, handler) as
        { description?: string } | undefined;
      const runs = /^Runs ([\w +]+)\./.exec(operation?.description ?? '')?.[1];
      return {
        route: `${controller.name}.${method}`,
        role: (Reflect.getMetadata(REQUIRED_ROLE, handler) ??
          Reflect.getMetadata(REQUIRED_ROLE, controller)) as unknown,
        commands: runs?.split(' + ') ?? [],
      };
    }),
);

describe('command roles', () => {
  it('finds the command routes', () => {
    expect(routes.filter((r) => r.commands.length > 0).length).toBeGreaterThanOrEqual(25);
  });

  it('gives every route an explicit role', () => {
    expect(routes.filter((r) => r.role === undefined).map((r) => r.route)).toEqual([]);
  });

  it.each(routes.filter((r) => r.commands.length > 0).map((r) => [r.route, r] as const))(
    '%s needs the role of the commands it runs, as gRPC does',
    (_route, { role, commands }) => {
      for (const command of commands) {
        expect(isCommandType(command), command).toBe(true);
        if (isCommandType(command)) expect(role, command).toBe(COMMAND_ROLES[command]);
      }
    },
  );

  it('keeps VM work to operators and the pool itself to admins', () => {
    expect(COMMAND_ROLES.StartVm).toBe('operator');
    expect(COMMAND_ROLES.RequestMigration).toBe('operator');
    expect(COMMAND_ROLES.UpdateVif).toBe('operator');
    expect(COMMAND_ROLES.CreateNetwork).toBe('admin');
    expect(COMMAND_ROLES.JoinHost).toBe('admin');
    expect(COMMAND_ROLES.CreateAclRule).toBe('admin');
  });

  it.each([
    'CreateAddressSet',
    'UpdateAddressSet',
    'DeleteAddressSet',
    'CreateSecurityGroup',
    'SetSecurityGroupPolicy',
    'AddSecurityGroupMember',
    'RemoveSecurityGroupMember',
    'DeleteSecurityGroup',
    'SetNetworkAclDefault',
  ] as const)('gives %s the role of the ACL rule commands: it is policy too', (type) => {
    expect(COMMAND_ROLES[type]).toBe(COMMAND_ROLES.CreateAclRule);
    expect(COMMAND_ROLES[type]).toBe(COMMAND_ROLES.DeleteAclRule);
  });
});
