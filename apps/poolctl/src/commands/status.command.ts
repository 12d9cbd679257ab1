import { type Command } from 'commander';
import { ApiError } from '../cli/errors.js';
import { type Context } from '../cli/context.js';
import { type CliIo } from '../cli/io.js';
import { isUnreachable } from '../http/http-client.js';
import { type Column, renderTable } from '../output/table.js';
import { type HostView, type PoolView } from '../read/views.js';
import { examples, verb } from './verb.js';

interface Status {
  /** Who answered: the projection knows applied versions, the log only the configuration. */
  source: 'projection' | 'log';
  pool: PoolView;
  hosts: (HostView & { lagEvents: number | null })[];
}

const columns: Column<Status['hosts'][number]>[] = [
  { header: 'host', value: (h) => h.id },
  { header: 'enabled', value: (h) => h.enabled },
  { header: 'applied', value: (h) => h.appliedVersion },
  { header: 'lag (events)', value: (h) => h.lagEvents },
  { header: 'lag (s)', value: (h) => h.lagSeconds },
  { header: 'last report', value: (h) => h.lastReportAt },
  { header: 'drift', value: (h) => h.drift },
  { header: 'vms', value: (h) => h.runningVms },
  {
    header: 'held',
    value: (h) => (h.held ? `at ${h.held.version}, rolled back ${h.held.refusedVersion}` : ''),
  },
];

export function registerStatus(program: Command, io: CliIo): void {
  program
    .command('status')
    .description(
      "the pool's head version and, per host, the version it applied and how far behind it is",
    )
    .addHelpText(
      'after',
      examples(
        'poolctl --pool lab status',
        'poolctl status -o json | jq ".hosts[] | select(.lagEvents > 0)"',
      ),
    )
    .action(
      verb(io, async (ctx) => {
        const status = await readStatus(ctx, ctx.pool());
        if (ctx.output === 'json') {
          ctx.printJson(status);
          return;
        }
        const { pool } = status;
        const converged = status.hosts.filter((h) => h.enabled && h.lagEvents === 0).length;
        const enabled = status.hosts.filter((h) => h.enabled).length;
        const summary =
          status.source === 'projection'
            ? `${converged}/${enabled} enabled hosts at the head`
            : 'applied versions unknown without the projection';
        // A held host will not catch up by itself: say why, and what lifts it.
        const held = status.hosts
          .filter((h) => h.held)
          .map(
            (h) =>
              `\nhost ${h.id} rolled back version ${h.held!.refusedVersion} at ${h.held!.since} ` +
              `and holds version ${h.held!.version}: ${h.held!.reason}. A later change to its ` +
              `uplinks or bonds, or \`poolctl host reset-networking ${h.id}\`, lifts the hold.`,
          )
          .join('');
        ctx.print(
          `pool ${pool.id} (${pool.name}) at version ${pool.version}: ${summary}\n\n` +
            renderTable(status.hosts, columns) +
            held,
        );
      }),
    );
}

async function readStatus(ctx: Context, pool: string): Promise<Status> {
  if (ctx.options.readFrom !== 'log') {
    try {
      const [view, hosts] = await Promise.all([
        ctx.projection.pool(pool),
        ctx.projection.hosts(pool),
      ]);
      return {
        source: 'projection',
        pool: view,
        hosts: hosts.map((h) => withLag(h, view.version)),
      };
    } catch (error) {
      const fallback = isUnreachable(error) || (error instanceof ApiError && error.status === 404);
      if (!fallback || ctx.options.readFrom === 'projection') throw error;
      ctx.note(`${(error as Error).message}; reading the master's log instead`);
    }
  }
  const [view, hosts] = await Promise.all([ctx.log.pool(pool), ctx.log.hosts(pool)]);
  return { source: 'log', pool: view, hosts };
}

/** The projection's lag, or head − applied when it gives only the applied version. */
const withLag = (host: HostView, head: number): HostView => ({
  ...host,
  lagEvents:
    host.lagEvents ??
    (host.appliedVersion === null ? null : Math.max(0, head - host.appliedVersion)),
});
