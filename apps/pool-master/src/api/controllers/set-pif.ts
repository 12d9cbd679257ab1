import { type CommandEnvelope, type CommandOutcome } from '@pool/contracts';
import { type CommandService } from '../../commands/command-service.js';
import { validateCommand, fieldsError } from '../validate-command.js';
import { command } from './command-route.js';

const FIELDS = ['role', 'mtu'] as const;

/**
 * PUT .../pifs/:device runs SetPifRole, then SetPifMtu, for the fields given. Both are checked
 * before either runs, so a malformed body changes nothing; a refusal of the second by the
 * decider leaves the first applied, which the outcome of a retry (same key) then reports.
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
    ...('role' in body ? [command('SetPifRole', { ...target, role: body.role })] : []),
    ...('mtu' in body ? [command('SetPifMtu', { ...target, mtu: body.mtu })] : []),
  ];
  if (steps.length === 0) {
    throw fieldsError('The PIF settings are empty', [
      { field: 'role', message: 'or mtu is required' },
    ]);
  }
  for (const step of steps) validateCommand(step.type, step.data);
  if (steps.length === 1) return commands.execute(pool, steps[0]!, envelope);

  const [first, second] = steps as [(typeof steps)[number], (typeof steps)[number]];
  // Each command needs an id of its own; derived from the key, a retry repeats both.
  const key = (suffix: string) =>
    envelope.commandId === undefined ? undefined : `${envelope.commandId}/${suffix}`;
  const a = await commands.execute(pool, first, {
    commandId: key('role'),
    expectedVersion: envelope.expectedVersion,
    actor: envelope.actor,
  });
  const b = await commands.execute(pool, second, {
    commandId: key('mtu'),
    wait: envelope.wait,
    waitTimeoutMs: envelope.waitTimeoutMs,
    actor: envelope.actor,
  });
  return {
    ...b,
    firstVersion: a.firstVersion,
    events: [...a.events, ...b.events],
    duplicate: a.duplicate && b.duplicate,
  };
}
