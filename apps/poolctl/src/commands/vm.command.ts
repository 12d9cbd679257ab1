import { Option, type Command } from 'commander';
import { CliError } from '../cli/errors.js';
import { ExitCode } from '../cli/exit-codes.js';
import { type Context } from '../cli/context.js';
import { type CliIo } from '../cli/io.js';
import { VIF_COLUMNS, VM_COLUMNS } from '../output/columns.js';
import { renderTable } from '../output/table.js';
import {
  createVm,
  destroyVm,
  migrateVm,
  renameVm,
  startVm,
  stopVm,
} from '../requests/master-requests.js';
import { waitForMigration, type MigrationResult } from '../wait/migration.js';
import { applyCommand, printApplied, type Applied } from './mutation.js';
import { applyNamed, type Ids } from './named-command.js';
import { registerVmLibvirtXml } from './vm-libvirt.command.js';
import { examples, printList, printObject, verb, WAIT_HELP } from './verb.js';

/** The VM id the master's MigrationRequested names (the argument may have been a name). */
const migrating = (applied: Applied): string | undefined =>
  (applied.outcome.events[0]?.data as { vmId?: string } | undefined)?.vmId;

const VM_ARG = 'the VM id, or its name if no other VM has it';

interface MigrateOptions {
  to: string;
  id?: string;
  acceptIsolation?: boolean;
  wait?: boolean;
}

/** `<id> <status>` (table) or the outcome with the migration (json); the status may be unknown. */
function printMigration(
  ctx: Context,
  applied: Applied,
  migration: { id: string; status: unknown; versions?: unknown },
): void {
  if (ctx.output === 'json') printApplied(ctx, applied, { migration });
  else
    ctx.print(
      typeof migration.status === 'string' ? `${migration.id} ${migration.status}` : migration.id,
    );
}

export function registerVm(program: Command, io: CliIo): void {
  const vm = program
    .command('vm')
    .description('virtual machines: create, start, stop, migrate, destroy, list, show, libvirt-xml')
    .addHelpText(
      'after',
      examples(
        'VM=$(poolctl vm create web-1)',
        'poolctl vm start "$VM" --on host-a --wait',
        'poolctl vm migrate "$VM" --to host-b --wait',
      ),
    );

  vm.command('create')
    .description('create a VM (halted); prints its id')
    .argument('<name>', 'a name of 1–64 printable characters')
    .option('--id <id>', 'the VM id (default: a new UUID)')
    .option('--wait', WAIT_HELP)
    .addHelpText('after', examples('poolctl vm create web-1 --id web-1'))
    .action(
      verb<{ id?: string; wait?: boolean }>(io, async (ctx, [name], options) => {
        const pool = ctx.pool();
        const request = createVm(pool, { vmId: options.id, name: name! });
        printApplied(ctx, await applyCommand(ctx, pool, request, options));
      }),
    );

  vm.command('rename')
    .description('rename a VM')
    .argument('<vm>', VM_ARG)
    .argument('<name>', 'the new name')
    .option('--wait', WAIT_HELP)
    .addHelpText('after', examples('poolctl vm rename web-1 web-01'))
    .action(
      verb<{ wait?: boolean }>(io, async (ctx, [id, name], options) => {
        const pool = ctx.pool();
        const rename = ({ vm }: Ids) => renameVm(pool, vm!, name!);
        printApplied(ctx, await applyNamed(ctx, pool, { vm: id! }, rename, options));
      }),
    );

  vm.command('start')
    .description('start a VM on an enabled host with an uplink for each of its external networks')
    .argument('<vm>', VM_ARG)
    .requiredOption('--on <host>', 'the host to run it on (id or name)')
    .option('--wait', WAIT_HELP)
    .addHelpText('after', examples('poolctl vm start web-1 --on host-a --wait'))
    .action(
      verb<{ on: string; wait?: boolean }>(io, async (ctx, [id], options) => {
        const pool = ctx.pool();
        const start = ({ vm, host }: Ids) => startVm(pool, vm!, host!);
        const refs = { vm: id!, host: options.on };
        printApplied(ctx, await applyNamed(ctx, pool, refs, start, options));
      }),
    );

  vm.command('stop')
    .description('stop a running VM')
    .argument('<vm>', VM_ARG)
    .option('--wait', WAIT_HELP)
    .addHelpText('after', examples('poolctl vm stop web-1 --wait'))
    .action(
      verb<{ wait?: boolean }>(io, async (ctx, [id], options) => {
        const pool = ctx.pool();
        const stop = ({ vm }: Ids) => stopVm(pool, vm!);
        printApplied(ctx, await applyNamed(ctx, pool, { vm: id! }, stop, options));
      }),
    );

  vm.command('destroy')
    .description('destroy a halted VM with its VIFs, their ACL rules and mirrors')
    .argument('<vm>', VM_ARG)
    .option('--wait', WAIT_HELP)
    .addHelpText('after', examples('poolctl vm destroy web-1'))
    .action(
      verb<{ wait?: boolean }>(io, async (ctx, [id], options) => {
        const pool = ctx.pool();
        const destroy = ({ vm }: Ids) => destroyVm(pool, vm!);
        printApplied(ctx, await applyNamed(ctx, pool, { vm: id! }, destroy, options));
      }),
    );

  vm.command('migrate')
    .description(
      'move a running VM to another host; it keeps its MACs, IPs and networks. Prints the ' +
        'migration id; with --wait, follows it to completed (exit 0) or aborted (exit 5)',
    )
    .argument('<vm>', VM_ARG)
    .requiredOption(
      '--to <host>',
      'an enabled host (id or name) with an uplink for every external network of the VM',
    )
    .option('--id <id>', 'the migration id (default: a new UUID)')
    .option(
      '--accept-isolation',
      'migrate even though the VM leaves VMs on its host behind on a host-local private ' +
        'network (refused PRIVATE_NETWORK_PEERS otherwise, naming them); overlays follow the VM',
    )
    .option(
      '--wait',
      'follow the migration (requested → prepared → activated → completed) until it ends',
    )
    .addHelpText(
      'after',
      examples(
        'poolctl vm migrate web-1 --to host-b --wait',
        'poolctl vm migrate web-1 --to host-b --wait -o json | jq .migration.status',
        'poolctl vm migrate db-1 --to host-b --accept-isolation   # off its private peers',
      ),
    )
    .action(
      verb<MigrateOptions>(io, async (ctx, [ref], options) => {
        const pool = ctx.pool();
        // The migration's own wait follows the saga; the hosts barrier would only cover Requested.
        const migrate = ({ vm, host }: Ids) =>
          migrateVm(pool, vm!, host!, {
            migrationId: options.id,
            acceptIsolation: options.acceptIsolation,
          });
        const applied = await applyNamed(ctx, pool, { vm: ref!, host: options.to }, migrate);
        const migrationId = applied.createdId;
        if (!options.wait || migrationId === undefined) {
          printApplied(ctx, applied);
          return;
        }
        let migration: MigrationResult;
        try {
          migration = await waitForMigration(ctx, pool, migrationId, applied.outcome.version);
        } catch (error) {
          // It was requested and goes on without us: its id, and the step it reached, still print.
          const reached = error instanceof CliError ? error.details : undefined;
          printMigration(ctx, applied, {
            id: migrationId,
            status: reached?.status ?? null,
            versions: reached?.versions ?? null,
          });
          throw error;
        }
        printMigration(ctx, applied, migration);
        if (migration.status === 'aborted') {
          throw new CliError(
            ExitCode.Aborted,
            'MIGRATION_ABORTED',
            `migration ${migrationId} of VM ${migrating(applied) ?? ref} was aborted: ${migration.reason ?? 'no reason given'}`,
            { migration },
          );
        }
      }),
    );

  registerVmLibvirtXml(vm, io);

  vm.command('list')
    .description('list VMs')
    .option('--host <host>', 'only VMs resident on this host (id or name)')
    .addOption(
      new Option('--power-state <state>', 'only VMs in this state').choices(['halted', 'running']),
    )
    .addHelpText(
      'after',
      examples('poolctl vm list --host host-a', 'poolctl vm list --power-state running -o json'),
    )
    .action(
      verb<{ host?: string; powerState?: string }>(io, async (ctx, _args, options) => {
        const pool = ctx.pool();
        let vms = await ctx.reads.vms(pool, options);
        // No VM on that host: it may have been a host's name (an id would have matched).
        if (vms.length === 0 && options.host !== undefined) {
          const host = await ctx.names.host(pool, options.host);
          if (host !== options.host) vms = await ctx.reads.vms(pool, { ...options, host });
        }
        printList(ctx, vms, VM_COLUMNS);
      }),
    );

  vm.command('show')
    .description('show a VM with its VIFs and any migration under way')
    .argument('<vm>', VM_ARG)
    .addHelpText('after', examples('poolctl vm show web-1', 'poolctl vm show web-1 -o json'))
    .action(
      verb(io, async (ctx, [id]) => {
        const pool = ctx.pool();
        const view = await ctx.reads.vm(pool, await ctx.names.vm(pool, id!));
        const vifs = view.vifs.map((vif) => ({ ...vif, vmId: view.id }));
        printObject(
          ctx,
          view,
          [
            ['id', view.id],
            ['name', view.name],
            ['power state', view.powerState],
            ['host', view.hostId],
            [
              'migration',
              view.migration
                ? `${view.migration.id} ${view.migration.status} → ${view.migration.toHostId}`
                : null,
            ],
          ],
          vifs.length > 0 ? `\n${renderTable(vifs, VIF_COLUMNS)}` : '',
        );
      }),
    );
}
