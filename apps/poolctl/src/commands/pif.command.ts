import { Option, type Command } from 'commander';
import { PIF_ROLES } from '@pool/domain';
import { usageError } from '../cli/errors.js';
import { type CliIo } from '../cli/io.js';
import { integer } from '../cli/parsers.js';
import { PIF_COLUMNS } from '../output/columns.js';
import { setPif } from '../requests/master-requests.js';
import { hostDetails } from './hosts-detail.js';
import { printApplied } from './mutation.js';
import { applyNamed, type Ids } from './named-command.js';
import { examples, printList, verb, WAIT_HELP } from './verb.js';

export function registerPif(program: Command, io: CliIo): void {
  const pif = program
    .command('pif')
    .description("physical NICs: list them, set a PIF's traffic role or MTU")
    .addHelpText(
      'after',
      examples('poolctl pif list --host host-a', 'poolctl pif set host-a eth1 --role vm'),
    );

  pif
    .command('list')
    .description('list the PIFs of one host or of every host')
    .option('--host <host>', 'only this host (id or name)')
    .addHelpText('after', examples('poolctl pif list', 'poolctl pif list --host host-a -o json'))
    .action(
      verb<{ host?: string }>(io, async (ctx, _args, options) => {
        const hosts = await hostDetails(ctx, ctx.pool(), options.host);
        const rows = hosts.flatMap((h) => h.pifs.map((p) => ({ ...p, hostId: h.id })));
        printList(ctx, rows, PIF_COLUMNS);
      }),
    );

  pif
    .command('set')
    .description(
      "set a PIF's role (management moves the host's management interface) and/or its MTU",
    )
    .argument('<host>', 'the host id or name')
    .argument('<device>', 'the PIF device (eth1…)')
    .addOption(new Option('--role <role>', 'the traffic it carries').choices(PIF_ROLES))
    .option('--mtu <mtu>', 'MTU, 68–9216', integer)
    .option('--wait', WAIT_HELP)
    .addHelpText(
      'after',
      examples(
        'poolctl pif set host-a eth1 --role vm',
        'poolctl pif set host-a eth2 --role storage --mtu 9000 --wait',
      ),
    )
    .action(
      verb<{ role?: string; mtu?: number; wait?: boolean }>(io, async (ctx, [host, device], o) => {
        if (o.role === undefined && o.mtu === undefined) {
          throw usageError('pif set needs --role, --mtu or both');
        }
        const pool = ctx.pool();
        const set = (ids: Ids) => setPif(pool, ids.host!, device!, { role: o.role, mtu: o.mtu });
        printApplied(ctx, await applyNamed(ctx, pool, { host: host! }, set, o));
      }),
    );
}
