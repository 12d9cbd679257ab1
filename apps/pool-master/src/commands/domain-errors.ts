import { isDomainError } from '@pool/domain';
import { CommandError } from './command-errors.js';

const STATUS = { invalid: 400, not_found: 404, conflict: 409 } as const;

/** Maps a decider's refusal (or any failure) to the error every transport reports. */
export function toCommandError(error: unknown): CommandError {
  if (error instanceof CommandError) return error;
  if (isDomainError(error)) {
    return new CommandError(STATUS[error.kind], error.code, error.message, error.details);
  }
  return new CommandError(500, 'INTERNAL', 'The command failed unexpectedly; see the server log.');
}
