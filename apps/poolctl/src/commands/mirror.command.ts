import { Option, type Command } from 'commander';
import { MIRROR_DIRECTIONS } from '@pool/domain';
import { type CliIo } from '../cli/io.js';
import { MIRROR_COLUMNS } from '../output/columns.js';
import { createMirror, deleteMirror } from '../requests/master-requests.js';
import { applyCommand, printApplied } from './mutation.js';
import { applyNamed, type Ids } from './named-command.js';
import { scopeOf, scopeRefs, scopeWith } from './scope.js';
import { examples, printList, verb, WAIT_HELP } from './verb.js';

interface CreateOptions {
  network?: string;
  vif?: string;
  group?: string;
  direction: string;
  to: string;
  id?: string;
  wait?: boolean;
}

export function registerMirror(program: Command, io: CliIo): void {
  const mirror = program
    .command('mirror')
    .description(
      'traffic mirrors from a network, VIF or security group to a VIF: create, destroy, list',
    )
    .addHelpText(
      'after',
      examples('poolctl mirror create --network prod --to 9a8b… --direction both'),
    );

  mirror
    .command('create')
    .description(
      'mirror the traffic of a network, a VIF or the members of a group to a VIF; prints the mirror id',
    )
    .option('--network <network>', 'mirror every port of this network (id or name)')
    .option('--vif <vif>', 'mirror this VIF')
    .option('--group <group>', 'mirror each member of this security group (id or name)')
    .addOption(
      new Option('--direction <direction>', 'which direction of the source')
        .choices(MIRROR_DIRECTIONS)
        .default('both'),
    )
    .requiredOption('--to <vif>', 'the VIF receiving the copies (not part of the source)')
    .option('--id <id>', 'the mirror id (default: a new UUID)')
    .option('--wait', WAIT_HELP)
    .addHelpText(
      'after',
      examples('poolctl mirror create --vif 1f0e… --direction ingress --to 9a8b… --wait'),
    )
    .action(
      verb<CreateOptions>(io, async (ctx, _args, options) => {
        const pool = ctx.pool();
        const source = scopeOf(options, 'mirror create');
        const create = (ids: Ids) =>
          createMirror(pool, {
            mirrorId: options.id,
            source: scopeWith(source, ids),
            direction: options.direction,
            destinationVifId: options.to,
          });
        printApplied(ctx, await applyNamed(ctx, pool, scopeRefs(source), create, options));
      }),
    );

  mirror
    .command('destroy')
    .description('delete a mirror')
    .argument('<mirror>', 'the mirror id')
    .option('--wait', WAIT_HELP)
    .addHelpText('after', examples('poolctl mirror destroy 5e4f…'))
    .action(
      verb<{ wait?: boolean }>(io, async (ctx, [id], options) => {
        const pool = ctx.pool();
        printApplied(ctx, await applyCommand(ctx, pool, deleteMirror(pool, id!), options));
      }),
    );

  mirror
    .command('list')
    .description('list the mirrors')
    .addHelpText('after', examples('poolctl mirror list'))
    .action(
      verb(io, async (ctx) => {
        printList(ctx, await ctx.reads.mirrors(ctx.pool()), MIRROR_COLUMNS);
      }),
    );
}
