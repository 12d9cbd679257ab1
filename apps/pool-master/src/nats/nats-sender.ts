import { NATS_SENDER_USER, type NatsSender } from '@pool/contracts';
import { AccessDenied, isRole, requireRole, ROLES, type Principal } from '@pool/platform';
import { roleForCommand } from '../api/command-roles.js';
import { CommandError } from '../commands/command-errors.js';

/**
 * Who sent a NATS command, from its subject (`<root>.<pool>.cmd.<role>.<user>.<CommandType>`),
 * once its role may run the command: the role REST and gRPC ask for (COMMAND_ROLES), refused
 * with their codes. The master trusts the subject because the NATS server lets each user
 * publish only under its own role and name (deploy/nats/nats.conf); the log records the user
 * as `nats:<user>`, apart from REST's token names.
 */
export function natsPrincipal(sender: NatsSender, type: string): Principal {
  try {
    if (!isRole(sender.role)) {
      throw new AccessDenied(
        'unauthenticated',
        `The subject's role must be ${ROLES.join(', ')}: <root>.<pool>.cmd.<role>.<user>.<CommandType>.`,
      );
    }
    if (!NATS_SENDER_USER.test(sender.user)) {
      throw new AccessDenied(
        'unauthenticated',
        "The subject's user must be 1–64 letters, digits, '-' or '_'.",
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
