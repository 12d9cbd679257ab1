import { type CommandOutcome } from '@pool/contracts';
import { type Context } from '../cli/context.js';
import { type CommandRequest } from '../requests/command-request.js';
import { waitForHosts } from '../wait/convergence.js';

export interface Applied {
  outcome: CommandOutcome;
  /** The id of what the verb created, when it creates something. */
  createdId?: string;
}

/**
 * Sends a command with a fresh Idempotency-Key; with `wait`, returns once the hosts applied it.
 * If the wait fails (hosts behind at --timeout, the master gone), the command is committed all
 * the same: what it created is printed before the failure is thrown, so a script gets the id it
 * needs to go on (or to clean up) along with the non-zero exit.
 */
export async function applyCommand(
  ctx: Context,
  pool: string,
  request: CommandRequest,
  options: { wait?: boolean } = {},
): Promise<Applied> {
  const idempotencyKey = ctx.io.newKey();
  const committed = await ctx.master.send(request, { idempotencyKey });
  const id = createdId(request, committed);
  if (!options.wait || committed.enabledHosts.length === 0) {
    return { outcome: committed, createdId: id };
  }
  try {
    const outcome = await waitForHosts(ctx, pool, request, idempotencyKey, committed);
    return { outcome, createdId: id };
  } catch (error) {
    if (id !== undefined) printApplied(ctx, { outcome: committed, createdId: id });
    throw error;
  }
}

function createdId(request: CommandRequest, outcome: CommandOutcome): string | undefined {
  const field = request.createdIdField;
  if (field === undefined) return undefined;
  const given = request.body?.[field];
  if (typeof given === 'string') return given;
  const data = outcome.events[0]?.data as Record<string, unknown> | undefined;
  const made = data?.[field];
  return typeof made === 'string' ? made : undefined;
}

/**
 * json: the outcome (with `id` for a creation). table: a creation prints the new id alone, as
 * `xe` does, so `VM=$(poolctl vm create web-1)` works; anything else one line of what happened.
 */
export function printApplied(ctx: Context, applied: Applied, extra: Record<string, unknown> = {}) {
  const { outcome, createdId } = applied;
  if (ctx.output === 'json') {
    ctx.printJson({ ...(createdId === undefined ? {} : { id: createdId }), ...outcome, ...extra });
    return;
  }
  if (createdId !== undefined) {
    ctx.print(createdId);
    return;
  }
  ctx.print(summary(outcome));
}

export function summary(outcome: CommandOutcome): string {
  const types = [...new Set(outcome.events.map((event) => event.type))];
  const what = types.length > 0 ? types.join(', ') : 'nothing to change';
  const hosts =
    outcome.hosts === undefined
      ? ''
      : `; applied by ${Object.keys(outcome.hosts).length}/${outcome.enabledHosts.length} hosts`;
  const repeat = outcome.duplicate ? ' (already applied)' : '';
  return `version ${outcome.version}: ${what}${repeat}${hosts}`;
}
