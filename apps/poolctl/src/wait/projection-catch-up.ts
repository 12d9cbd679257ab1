import { ApiError } from '../cli/errors.js';
import { type Context } from '../cli/context.js';

const POLL_MS = 100;

/**
 * After a `--wait`, until the projection shows the pool at `version` or later, so that a read
 * verb run next sees the change (the projection follows the log a moment behind). Best effort:
 * without the projection there is nothing to wait for, and a projection still behind when the
 * time is up earns a note, not a failure: the change itself is done.
 */
export async function waitForProjection(
  ctx: Context,
  pool: string,
  version: number,
  deadline: number,
): Promise<void> {
  if (ctx.options.readFrom === 'log') return;
  let seen: number | undefined;
  for (;;) {
    try {
      seen = (await ctx.projection.pool(pool)).version;
      if (seen >= version) return;
    } catch (error) {
      // A pool it has not projected yet answers 404; anything else means no projection to wait for.
      if (!(error instanceof ApiError && error.status === 404)) return;
    }
    if (Date.now() >= deadline) {
      ctx.note(
        `the projection shows version ${seen ?? 'none'} of ${version}: list and show may lag a moment`,
      );
      return;
    }
    await ctx.io.sleep(POLL_MS);
  }
}
