import { type PoolCommand } from '@pool/domain';
import { assertPoolId, validateCommand } from '../api/validate-command.js';
import { CommandError } from './command-errors.js';

/*
 * The one place wire input becomes a command. REST routes, the NATS handler and the gRPC
 * service each hand in the pool, the type and the data they read, and get back the domain's
 * typed command or the refusal, so an id, a type or a field is judged by the same rules
 * whatever carried it. The shape schemas live beside the REST API (they also describe it in
 * OpenAPI); the id rules are the domain's.
 */

/** A command as the edge parsed it: the domain's command, before the entry adds its metadata. */
export type ParsedCommand = PoolCommand extends infer C
  ? C extends PoolCommand
    ? Omit<C, 'metadata'>
    : never
  : never;

/** The command, or the typed 400 (`code`, message, bounded `details.problems`) refusing it. */
export type Parsed = { ok: true; command: ParsedCommand } | { ok: false; error: CommandError };

export function parseCommand(pool: string, type: string, data: unknown): Parsed {
  // The same object, not a copy: a REST route's generated-id mark must reach the fingerprint.
  const candidate = { type, data };
  try {
    assertCommand(pool, candidate);
    return { ok: true, command: candidate };
  } catch (error) {
    if (error instanceof CommandError) return { ok: false, error };
    throw error;
  }
}

/** For transports that answer a refusal by throwing: the command, or its CommandError thrown. */
export function commandOrThrow(pool: string, type: string, data: unknown): ParsedCommand {
  const parsed = parseCommand(pool, type, data);
  if (!parsed.ok) throw parsed.error;
  return parsed.command;
}

/**
 * Checks everything the edge can know without the pool's state: the pool id, the command type,
 * the data's shape (every field typed, none unknown) and, for CreatePool, that the data names
 * the pool it is sent to. What the data means (ranges, references) the decider checks.
 */
function assertCommand(
  pool: string,
  candidate: { type: string; data: unknown },
): asserts candidate is ParsedCommand {
  // The data first: a CreatePool's pool is its `poolId`, whose problem names that field.
  validateCommand(candidate.type, candidate.data);
  assertPoolId(pool);
  if (candidate.type !== 'CreatePool') return;
  const poolId = (candidate.data as { poolId?: unknown }).poolId;
  if (poolId !== pool) {
    throw new CommandError(
      400,
      'POOL_ID_MISMATCH',
      `CreatePool for pool ${pool} must carry poolId ${pool} in its data, not ${String(poolId)}.`,
    );
  }
}
