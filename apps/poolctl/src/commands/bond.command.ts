import { Option, type Command } from 'commander';
import { BOND_MODES } from '@pool/domain';
import { type CliIo } from '../cli/io.js';
import { commaList } from '../cli/parsers.js';
import { BOND_COLUMNS } from '../output/columns.js';
import { createBond, destroyBond } from '../requests/master-requests.js';
import { hostDetails } from './hosts-detail.js';
import { applyCommand, printApplied } from './mutation.js';
import { applyNamed, type Ids } from './named-command.js';
import { examples, printList, verb, WAIT_HELP } from './verb.js';

interface CreateOptions {
  members: string[];
  mode: string;
  id?: string;
  wait?: boolean;
}

export function registerBond(program: Command, io: CliIo): void {
  const bond = program
    .command('bond')
    .description('NIC bonds of one host: create, destroy, list')
    .addHelpText(
      'after',
      examples('poolctl bond create host-a bond0 --members eth1,eth2 --mode active-backup'),
    );

  bond
    .command('create')
    .description('bond NICs of one host; prints the bond id')
    .argument('<host>', 'the host id or name')
    .argument('<device>', 'the bond device (bond0…)')
    .requiredOption('--members <devices>', 'two or more PIF devices, comma-separated', commaList)
    .addOption(
      new Option('--mode <mode>', 'bonding mode').choices(BOND_MODES).default('active-backup'),
    )
    .option('--id <id>', 'the bond id (default: a new UUID)')
    .option('--wait', WAIT_HELP)
    .addHelpText(
      'after',
      examples('poolctl bond create host-a bond0 --members eth1,eth2 --mode lacp --wait'),
    )
    .action(
      verb<CreateOptions>(io, async (ctx, [host, device], options) => {
        const pool = ctx.pool();
        const create = (ids: Ids) =>
          createBond(pool, {
            bondId: options.id,
            hostId: ids.host!,
            device: device!,
            members: options.members,
            mode: options.mode,
          });
        printApplied(ctx, await applyNamed(ctx, pool, { host: host! }, create, options));
      }),
    );

  bond
    .command('destroy')
    .description('destroy a bond (refused while a VM reaches a network through it)')
    .argument('<bond>', 'the bond id')
    .option('--wait', WAIT_HELP)
    .addHelpText('after', examples('poolctl bond destroy 0b0c…'))
    .action(
      verb<{ wait?: boolean }>(io, async (ctx, [id], options) => {
        const pool = ctx.pool();
        printApplied(ctx, await applyCommand(ctx, pool, destroyBond(pool, id!), options));
      }),
    );

  bond
    .command('list')
    .description('list the bonds of one host or of every host')
    .option('--host <host>', 'only this host (id or name)')
    .addHelpText('after', examples('poolctl bond list', 'poolctl bond list --host host-a'))
    .action(
      verb<{ host?: string }>(io, async (ctx, _args, options) => {
        const hosts = await hostDetails(ctx, ctx.pool(), options.host);
        const rows = hosts.flatMap((h) => h.bonds.map((b) => ({ ...b, hostId: h.id })));
        printList(ctx, rows, BOND_COLUMNS);
      }),
    );
}
