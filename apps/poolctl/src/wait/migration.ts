import { CliError } from '../cli/errors.js';
import { isUnreachable } from '../http/http-client.js';
import { ExitCode } from '../cli/exit-codes.js';
import { type Context } from '../cli/context.js';
import { createProgress } from './progress.js';
import { waitForProjection } from './projection-catch-up.js';

const POLL_MS = 250;

/** The saga's steps after Requested (DESIGN §5), in order. */
const STEPS = {
  MigrationPrepared: 'prepared',
  MigrationActivated: 'activated',
  MigrationCompleted: 'completed',
} as const;
const STEP_NUMBER = { requested: 0, prepared: 1, activated: 2, completed: 3 } as const;
type Step = keyof typeof STEP_NUMBER;

export interface MigrationResult {
  id: string;
  status: 'completed' | 'aborted';
  reason: string | null;
  /** The pool version of each step reached. */
  versions: Partial<Record<Step | 'aborted', number>>;
}

/**
 * Follows the pool's log after the MigrationRequested at `requestedVersion` until the
 * migration `id` completes or aborts; the projection's coordinator writes those steps. A bar of
 * steps (requested → prepared → activated → completed) runs on a terminal.
 */
export async function waitForMigration(
  ctx: Context,
  pool: string,
  id: string,
  requestedVersion: number,
): Promise<MigrationResult> {
  const deadline = Date.now() + ctx.timeoutMs;
  const versions: MigrationResult['versions'] = { requested: requestedVersion };
  let step: Step = 'requested';
  const progress = createProgress(ctx.io.stderr, {
    label: `migration ${id}`,
    total: STEP_NUMBER.completed,
    unit: 'steps',
  });
  progress.update(0, step);
  try {
    for (let after = requestedVersion; ;) {
      const page = await ctx.master.events(pool, after);
      for (const event of page.events) {
        const data = event.data as { migrationId?: string; reason?: string };
        if (data.migrationId !== id) continue;
        if (event.type === 'MigrationAborted') {
          versions.aborted = event.version;
          await waitForProjection(ctx, pool, event.version, deadline);
          return { id, status: 'aborted', reason: data.reason ?? null, versions };
        }
        if (event.type in STEPS) {
          step = STEPS[event.type as keyof typeof STEPS];
          versions[step] = event.version;
          progress.update(STEP_NUMBER[step], step);
          if (step === 'completed') {
            await waitForProjection(ctx, pool, event.version, deadline);
            return { id, status: 'completed', reason: null, versions };
          }
        }
      }
      after = page.next;
      if (page.events.length > 0) continue;
      if (Date.now() >= deadline) {
        throw new CliError(
          ExitCode.Unavailable,
          'MIGRATION_TIMEOUT',
          `migration ${id} is still ${step} after ${Math.round(ctx.timeoutMs / 1000)} s; it goes ` +
            `on without poolctl (follow it with: poolctl events --follow)${await coordinatorHint(ctx)}`,
          { migrationId: id, status: step, versions },
        );
      }
      await ctx.io.sleep(POLL_MS);
    }
  } finally {
    progress.stop();
  }
}

/** The projection runs the migration coordinator: a migration stuck without it says so. */
async function coordinatorHint(ctx: Context): Promise<string> {
  try {
    await ctx.projection.http.json({ method: 'GET', path: '/health', timeoutMs: 2000 });
    return '';
  } catch (error) {
    return isUnreachable(error)
      ? `; the projection, which coordinates migrations, is not reachable at ${ctx.options.projection}`
      : '';
  }
}
