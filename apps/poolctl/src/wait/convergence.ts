import { type CommandOutcome } from '@pool/contracts';
import { ApiError } from '../cli/errors.js';
import { type Context } from '../cli/context.js';
import { isUnreachable } from '../http/http-client.js';
import { type CommandRequest } from '../requests/command-request.js';
import { createProgress, type Progress } from './progress.js';
import { waitForProjection } from './projection-catch-up.js';

const POLL_MS = 250;

/**
 * `--wait` on a mutating verb. The command was committed (its outcome names the version and
 * the enabled hosts); the same request is sent again with the same Idempotency-Key and
 * `?wait=hosts`: the master writes nothing the second time and answers once every enabled
 * host applied the version (its convergence barrier, the authority on "done"). Meanwhile the
 * projection's host list feeds a bar of hosts converged; without the projection, a spinner.
 * Last, the projection itself catches up, so a read verb run next sees the change.
 */
export async function waitForHosts(
  ctx: Context,
  pool: string,
  request: CommandRequest,
  idempotencyKey: string,
  committed: CommandOutcome,
): Promise<CommandOutcome> {
  const hosts = committed.enabledHosts;
  const progress = createProgress(ctx.io.stderr, {
    label: `waiting for version ${committed.version}`,
    total: hosts.length,
    unit: 'hosts applied',
  });
  const deadline = Date.now() + ctx.timeoutMs;
  const stopWatching = new AbortController();
  const watching = watchHosts(ctx, pool, committed.version, hosts, progress, stopWatching.signal);
  try {
    const barrier = await ctx.master.send(request, {
      idempotencyKey,
      waitForHostsMs: ctx.timeoutMs,
    });
    progress.update(hosts.length);
    await waitForProjection(ctx, pool, committed.version, deadline);
    return { ...committed, hosts: barrier.hosts };
  } finally {
    stopWatching.abort();
    await watching;
    progress.stop();
  }
}

/** Counts enabled hosts at or past `version` in the projection, until aborted. */
async function watchHosts(
  ctx: Context,
  pool: string,
  version: number,
  hosts: string[],
  progress: Progress,
  signal: AbortSignal,
): Promise<void> {
  const waiting = new Set(hosts);
  while (!signal.aborted) {
    try {
      const applied = (await ctx.projection.hosts(pool, {}, signal)).filter(
        (host) => waiting.has(host.id) && (host.appliedVersion ?? 0) >= version,
      );
      if (signal.aborted) return;
      progress.update(applied.length);
    } catch (error) {
      if (signal.aborted) return;
      // A pool the projection has not seen yet answers 404: it may any moment.
      if (!(error instanceof ApiError && error.status === 404)) {
        const why = isUnreachable(error) ? 'projection unreachable' : 'no host counts';
        progress.indeterminate(
          `waiting for ${hosts.length} host(s) to apply version ${version} (${why})`,
        );
        return;
      }
    }
    await ctx.io.sleep(POLL_MS, signal);
  }
}
