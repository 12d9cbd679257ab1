import { type CommandEnvelope, type CommandOutcome } from '@pool/contracts';
import { type CommandService } from '../../commands/command-service.js';
import { fieldsError } from '../validate-command.js';
import { command } from './command-route.js';

const FIELDS = ['role', 'mtu'] as const;

/**
 * PUT .../pifs/:device sets the role and/or the MTU given, as SetPifRole and SetPifMtu run as
 * one request: both are checked and decided before anything is written, so a refusal of either
 * (a malformed body or the decider's) changes nothing.
 */
export async function setPif(
  commands: CommandService,
  pool: string,
  target: { hostId: string; device: string },
  body: Record<string, unknown>,
  envelope: CommandEnvelope,
): Promise<CommandOutcome> {
  const unknown = Object.keys(body).filter((key) => !(FIELDS as readonly string[]).includes(key));
  if (unknown.length > 0) {
    throw fieldsError(
      'The PIF settings are invalid',
      unknown.map((field) => ({ field, message: 'is not a known field' })),
    );
  }
  const steps = [
    ...('role' in body ? [command(pool, 'SetPifRole', { ...target, role: body.role })] : []),
    ...('mtu' in body ? [command(pool, 'SetPifMtu', { ...target, mtu: body.mtu })] : []),
  ];
  if (steps.length === 0) {
    throw fieldsError('The PIF settings are empty', [
      { field: 'role', message: 'or mtu is required' },
    ]);
  }
  // Both parts were parsed above; one request, one command id: both are decided before either
  // is written.
  return commands.executeAll(pool, steps, envelope);
}
