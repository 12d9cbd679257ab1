import {
  HOST_COMMAND_HOST_FIELD,
  HOST_SENDER_ROLE,
  NATS_SENDER_USER,
  type NatsSender,
} from '@pool/contracts';
import { AccessDenied, isRole, requireRole, ROLES, type Principal } from '@pool/platform';
import { roleForCommand } from '../api/command-roles.js';
import { CommandError } from '../commands/command-errors.js';

const isHostCommand = (type: string): type is keyof typeof HOST_COMMAND_HOST_FIELD =>
  Object.hasOwn(HOST_COMMAND_HOST_FIELD, type);

/**
 * Who sent a NATS command, from its subject (`<root>.<pool>.cmd.<role>.<user>.<CommandType>`),
 * once its role may run the command: the role REST and gRPC ask for (COMMAND_ROLES), refused
 * with their codes. The master trusts the subject because the NATS server lets each user
 * publish only under its own role and name (deploy/nats/nats.conf); the log records the user
 * as `nats:<user>`, apart from REST's token names.
 *
 * The role `host` is a member host speaking for its hypervisor: it may send the commands of
 * HOST_COMMAND_HOST_FIELD only (an operator's, so the principal is an operator), and each only
 * about itself, which requireOwnHost checks once the data is parsed.
 */
export function natsPrincipal(sender: NatsSender, type: string): Principal {
  try {
    if (!NATS_SENDER_USER.test(sender.user)) {
      throw new AccessDenied(
        'unauthenticated',
        "The subject's user must be 1–64 letters, digits, '-' or '_'.",
      );
    }
    if (sender.role === HOST_SENDER_ROLE) {
      if (!isHostCommand(type)) {
        throw new AccessDenied(
          'forbidden',
          `A host sends only ${Object.keys(HOST_COMMAND_HOST_FIELD).join(', ')}, about itself; ` +
            `host ${sender.user} sent ${type}.`,
        );
      }
      return { name: `nats:${sender.user}`, role: 'operator' };
    }
    if (!isRole(sender.role)) {
      throw new AccessDenied(
        'unauthenticated',
        `The subject's role must be ${[...ROLES, HOST_SENDER_ROLE].join(', ')}: ` +
          '<root>.<pool>.cmd.<role>.<user>.<CommandType>.',
      );
    }
    requireRole(sender.role, roleForCommand(type), `NATS user ${sender.user}`);
    return { name: `nats:${sender.user}`, role: sender.role };
  } catch (error) {
    if (error instanceof AccessDenied) {
      throw new CommandError(error.status, error.code, error.message);
    }
    throw error;
  }
}

/**
 * A host's command must name the host itself in its field (StartVm's, StopVm's and
 * RecordNetworkRollback's hostId, RequestMigration's toHostId): a hypervisor tells the pool what
 * happens on it, never elsewhere, and one host cannot put another on hold.
 * StopVm's hostId also makes the decider refuse it unless the VM runs there.
 */
export function requireOwnHost(sender: NatsSender, type: string, data: object): void {
  if (sender.role !== HOST_SENDER_ROLE || !isHostCommand(type)) return;
  const field = HOST_COMMAND_HOST_FIELD[type];
  const named = (data as Record<string, unknown>)[field];
  if (named !== sender.user) {
    throw new CommandError(
      403,
      'FORBIDDEN',
      `A host sends ${type} only about itself: ${field} must be ${sender.user}` +
        `${typeof named === 'string' ? `, not ${named}` : ''}.`,
    );
  }
}
