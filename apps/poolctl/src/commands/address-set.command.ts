import { type Command } from 'commander';
import { ADDRESS_SET_MAX_ENTRIES } from '@pool/domain';
import { usageError } from '../cli/errors.js';
import { type CliIo } from '../cli/io.js';
import { commaList } from '../cli/parsers.js';
import { ADDRESS_SET_COLUMNS } from '../output/columns.js';
import {
  createAddressSet,
  deleteAddressSet,
  updateAddressSet,
} from '../requests/master-requests.js';
import { applyCommand, printApplied } from './mutation.js';
import { applyNamed, type Ids } from './named-command.js';
import { examples, printList, verb, WAIT_HELP } from './verb.js';

const SET_ARG = 'the address set id or name';
const CIDRS_HELP = `prefixes or bare addresses, comma-separated, IPv4 or IPv6, at most ${ADDRESS_SET_MAX_ENTRIES}`;

/** `--cidrs LIST` or `--no-cidrs` (an empty set, which matches nothing). */
const cidrsOf = (cidrs: string[] | boolean | undefined): string[] | undefined =>
  cidrs === false ? [] : Array.isArray(cidrs) ? cidrs : undefined;

export function registerAddressSet(program: Command, io: CliIo): void {
  const set = program
    .command('address-set')
    .description(
      'pool-wide address sets, named lists of prefixes an ACL rule takes as its remote side: ' +
        'create, update, delete, list',
    )
    .addHelpText(
      'after',
      examples(
        'poolctl address-set create office --cidrs 192.0.2.0/24,2001:db8::/48',
        'poolctl acl add --group web --direction to-vm --priority 100 --address-set office --action allow',
      ),
    );

  set
    .command('create')
    .description('create an address set; prints its id')
    .argument('<name>', 'a name unique among address sets, 1–64 printable characters')
    .option('--cidrs <list>', `${CIDRS_HELP} (default: none)`, commaList)
    .option('--id <id>', 'the address set id (default: a new UUID)')
    .option('--wait', WAIT_HELP)
    .addHelpText(
      'after',
      examples(
        'poolctl address-set create office --cidrs 192.0.2.0/24,198.51.100.7,2001:db8::/48',
        'poolctl address-set create blocked --id blocked',
      ),
    )
    .action(
      verb<{ cidrs?: string[]; id?: string; wait?: boolean }>(io, async (ctx, [name], options) => {
        const pool = ctx.pool();
        const request = createAddressSet(pool, {
          addressSetId: options.id,
          name: name!,
          cidrs: options.cidrs ?? [],
        });
        printApplied(ctx, await applyCommand(ctx, pool, request, options));
      }),
    );

  set
    .command('update')
    .description("replace an address set's prefixes; the rules naming it follow on every host")
    .argument('<set>', SET_ARG)
    .option('--cidrs <list>', `the whole new content: ${CIDRS_HELP}`, commaList)
    .option('--no-cidrs', 'empty the set (its rules then match nothing)')
    .option('--wait', WAIT_HELP)
    .addHelpText(
      'after',
      examples(
        'poolctl address-set update office --cidrs 192.0.2.0/24,203.0.113.0/24 --wait',
        'poolctl address-set update blocked --no-cidrs',
      ),
    )
    .action(
      verb<{ cidrs?: string[] | boolean; wait?: boolean }>(io, async (ctx, [ref], options) => {
        const cidrs = cidrsOf(options.cidrs);
        if (cidrs === undefined) throw usageError('address-set update needs --cidrs or --no-cidrs');
        const pool = ctx.pool();
        const update = ({ addressSet }: Ids) => updateAddressSet(pool, addressSet!, cidrs);
        printApplied(ctx, await applyNamed(ctx, pool, { addressSet: ref! }, update, options));
      }),
    );

  set
    .command('delete')
    .description('delete an address set that no ACL rule names')
    .argument('<set>', SET_ARG)
    .option('--wait', WAIT_HELP)
    .addHelpText('after', examples('poolctl address-set delete office'))
    .action(
      verb<{ wait?: boolean }>(io, async (ctx, [ref], options) => {
        const pool = ctx.pool();
        const remove = ({ addressSet }: Ids) => deleteAddressSet(pool, addressSet!);
        printApplied(ctx, await applyNamed(ctx, pool, { addressSet: ref! }, remove, options));
      }),
    );

  set
    .command('list')
    .description('list the address sets')
    .addHelpText('after', examples('poolctl address-set list', 'poolctl address-set list -o json'))
    .action(
      verb(io, async (ctx) => {
        printList(ctx, await ctx.reads.addressSets(ctx.pool()), ADDRESS_SET_COLUMNS);
      }),
    );
}
