import { type Command } from 'commander';
import { type CliIo } from '../cli/io.js';
import { POOL_COLUMNS } from '../output/columns.js';
import { createPool, renamePool } from '../requests/master-requests.js';
import { applyCommand, printApplied } from './mutation.js';
import { examples, printList, printObject, verb, WAIT_HELP } from './verb.js';

export function registerPool(program: Command, io: CliIo): void {
  const pool = program
    .command('pool')
    .description('pools: create, rename, list, show')
    .addHelpText(
      'after',
      examples('poolctl pool create lab --name "Lab pool"', 'poolctl pool list'),
    );

  pool
    .command('create')
    .description('create a pool; prints its id')
    .argument('<id>', "the pool id: 1–63 lowercase letters, digits or '-'")
    .option('--name <name>', 'its name, 1–64 printable characters (default: the id)')
    .option('--wait', WAIT_HELP)
    .addHelpText(
      'after',
      examples('poolctl pool create lab --name "Lab pool"', 'export POOLNET_POOL=lab'),
    )
    .action(
      verb<{ name?: string; wait?: boolean }>(io, async (ctx, [id], options) => {
        const request = createPool(id!, options.name ?? id!);
        printApplied(ctx, await applyCommand(ctx, id!, request, options));
      }),
    );

  pool
    .command('rename')
    .description('rename the pool of --pool')
    .argument('<name>', 'the new name')
    .option('--wait', WAIT_HELP)
    .addHelpText('after', examples('poolctl --pool lab pool rename "Production"'))
    .action(
      verb<{ wait?: boolean }>(io, async (ctx, [name], options) => {
        const pool = ctx.pool();
        printApplied(ctx, await applyCommand(ctx, pool, renamePool(pool, name!), options));
      }),
    );

  pool
    .command('list')
    .description('list the pools (needs the projection)')
    .addHelpText('after', examples('poolctl pool list', 'poolctl pool list -o json'))
    .action(
      verb(io, async (ctx) => {
        printList(ctx, await ctx.reads.pools(), POOL_COLUMNS);
      }),
    );

  pool
    .command('show')
    .description('show a pool: version and object counts')
    .argument('[id]', 'the pool (default: --pool)')
    .addHelpText('after', examples('poolctl pool show lab', 'poolctl --pool lab pool show -o json'))
    .action(
      verb(io, async (ctx, [id]) => {
        const view = await ctx.reads.pool(id ?? ctx.pool());
        printObject(ctx, view, [
          ['id', view.id],
          ['name', view.name],
          ['version', view.version],
          ['updated', view.updatedAt],
          ['hosts', view.hosts],
          ['networks', view.networks],
          ['vms', view.vms],
          ['vifs', view.vifs],
          ['migrations', view.migrationsActive],
        ]);
      }),
    );
}
