import { type Command } from 'commander';
import { type CliIo } from '../cli/io.js';
import { pifSpec, repeatable } from '../cli/parsers.js';
import { usageError } from '../cli/errors.js';
import { BOND_COLUMNS, HOST_COLUMNS, PIF_COLUMNS } from '../output/columns.js';
import { renderTable } from '../output/table.js';
import {
  disableHost,
  ejectHost,
  enableHost,
  joinHost,
  resetHostNetworking,
  setTunnelEndpoint,
  type PifInventory,
} from '../requests/master-requests.js';
import { registerHostInterface } from './host-interface.command.js';
import { applyCommand, printApplied } from './mutation.js';
import { applyNamed, type Ids } from './named-command.js';
import { examples, printList, printObject, verb, WAIT_HELP } from './verb.js';

const HOST_ARG = 'the host id, or its name if no other host has it';

interface JoinOptions {
  name?: string;
  address: string;
  pif?: PifInventory[];
  management?: string;
  wait?: boolean;
}

export function registerHost(program: Command, io: CliIo): void {
  const host = program
    .command('host')
    .description('member hosts: join, enable, disable, eject, reset-networking, list, show')
    .addHelpText('after', examples('poolctl host list', 'poolctl host disable host-b --wait'));

  host
    .command('join')
    .description('join a host with its NIC inventory (member hosts also join by themselves)')
    .argument('<id>', 'the host id')
    .option('--name <name>', 'its name (default: the id)')
    .requiredOption('--address <address>', 'how the master reaches it (address or DNS name)')
    .option(
      '--pif <spec>',
      'a NIC, repeatable: device=eth0,mac=52:54:00:12:34:56[,mtu=1500][,speed=1000][,carrier=up|down]',
      repeatable(pifSpec),
    )
    .option('--management <device>', 'the management PIF (default: the first --pif)')
    .option('--wait', WAIT_HELP)
    .addHelpText(
      'after',
      examples(
        'poolctl host join host-c --address 192.0.2.13 \\\n' +
          '      --pif device=eth0,mac=52:54:00:00:0c:00 --pif device=eth1,mac=52:54:00:00:0c:01,mtu=9000',
      ),
    )
    .action(
      verb<JoinOptions>(io, async (ctx, [id], options) => {
        const pifs = options.pif ?? [];
        if (pifs.length === 0) throw usageError('host join needs at least one --pif');
        const pool = ctx.pool();
        const request = joinHost(pool, {
          hostId: id!,
          name: options.name ?? id!,
          address: options.address,
          pifs,
          managementDevice: options.management ?? pifs[0]!.device,
        });
        printApplied(ctx, await applyCommand(ctx, pool, request, options));
      }),
    );

  for (const [name, build, what] of [
    ['enable', enableHost, 'enable a host: it takes VMs again'],
    ['disable', disableHost, 'disable a host: it takes no new VMs'],
    ['eject', ejectHost, 'eject a host (refused while it runs VMs); its bonds go with it'],
    [
      'reset-networking',
      resetHostNetworking,
      'xe-reset-networking: the host keeps its management NIC alone (its bonds over it are ' +
        'destroyed, no network is uplinked on it there) until management moves to another NIC',
    ],
  ] as const) {
    host
      .command(name)
      .description(what)
      .argument('<host>', HOST_ARG)
      .option('--wait', WAIT_HELP)
      .addHelpText(
        'after',
        examples(`poolctl host ${name} host-b${name === 'eject' ? '' : ' --wait'}`),
      )
      .action(
        verb<{ wait?: boolean }>(io, async (ctx, [id], options) => {
          const pool = ctx.pool();
          const request = ({ host }: Ids) => build(pool, host!);
          printApplied(ctx, await applyNamed(ctx, pool, { host: id! }, request, options));
        }),
      );
  }

  host
    .command('tunnel-endpoint')
    .description(
      "declare where the host's overlay tunnels start and end: its underlay address on a PIF " +
        'of role management, storage or tunnel (--clear: none, refused while overlays exist)',
    )
    .argument('<host>', HOST_ARG)
    .option('--device <device>', 'the PIF that carries the underlay')
    .option('--address <address>', "the host's underlay address on it (IPv4 or IPv6)")
    .option('--clear', 'remove the endpoint')
    .option('--wait', WAIT_HELP)
    .addHelpText(
      'after',
      examples('poolctl host tunnel-endpoint host-a --device eth1 --address 192.0.2.11 --wait'),
    )
    .action(
      verb<{ device?: string; address?: string; clear?: boolean; wait?: boolean }>(
        io,
        async (ctx, [id], o) => {
          const given = o.device !== undefined || o.address !== undefined;
          if (o.clear ? given : o.device === undefined || o.address === undefined) {
            throw usageError('host tunnel-endpoint needs --device and --address, or --clear');
          }
          const endpoint = o.clear
            ? { device: null, address: null }
            : { device: o.device!, address: o.address! };
          const pool = ctx.pool();
          const request = ({ host }: Ids) => setTunnelEndpoint(pool, host!, endpoint);
          printApplied(ctx, await applyNamed(ctx, pool, { host: id! }, request, o));
        },
      ),
    );

  registerHostInterface(host, io, HOST_ARG);

  host
    .command('list')
    .description('list hosts with the version each applied and its lag')
    .option('--enabled', 'only enabled hosts')
    .option('--disabled', 'only disabled hosts')
    .addHelpText('after', examples('poolctl host list', 'poolctl host list --enabled -o json'))
    .action(
      verb<{ enabled?: boolean; disabled?: boolean }>(io, async (ctx, _args, options) => {
        if (options.enabled && options.disabled) {
          throw usageError('--enabled and --disabled exclude each other');
        }
        const enabled = options.enabled ? true : options.disabled ? false : undefined;
        printList(ctx, await ctx.reads.hosts(ctx.pool(), { enabled }), HOST_COLUMNS);
      }),
    );

  host
    .command('show')
    .description('show a host: state, convergence, PIFs and bonds')
    .argument('<host>', HOST_ARG)
    .addHelpText('after', examples('poolctl host show host-a'))
    .action(
      verb(io, async (ctx, [id]) => {
        const pool = ctx.pool();
        const view = await ctx.reads.host(pool, await ctx.names.host(pool, id!));
        const pifs = view.pifs.map((pif) => ({ ...pif, hostId: view.id }));
        const bonds = view.bonds.map((bond) => ({ ...bond, hostId: view.id }));
        printObject(
          ctx,
          view,
          [
            ['id', view.id],
            ['name', view.name],
            ['enabled', view.enabled],
            ['management', view.management],
            ['applied version', view.appliedVersion],
            ['lag (events)', view.lagEvents],
            ['lag (seconds)', view.lagSeconds],
            ['last report', view.lastReportAt],
            ['drift', view.drift],
            ['running VMs', view.runningVms],
          ],
          `\n${renderTable(pifs, PIF_COLUMNS)}` +
            (bonds.length > 0 ? `\n${renderTable(bonds, BOND_COLUMNS)}` : ''),
        );
      }),
    );
}
