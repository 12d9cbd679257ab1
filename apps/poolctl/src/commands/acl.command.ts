import { InvalidArgumentError, Option, type Command } from 'commander';
import {
  ACL_ACTIONS,
  ACL_DIRECTIONS,
  ACL_PROTOCOLS,
  isRenamedAclDirection,
  renamedAclDirectionMessage,
} from '@pool/domain';
import { type CliIo } from '../cli/io.js';
import { integer, portRange } from '../cli/parsers.js';
import { ACL_COLUMNS } from '../output/columns.js';
import { createAclRule, deleteAclRule } from '../requests/master-requests.js';
import { applyCommand, printApplied } from './mutation.js';
import { applyNamed, type Ids } from './named-command.js';
import { scopeOf, scopeRefs, scopeWith } from './scope.js';
import { examples, printList, verb, WAIT_HELP } from './verb.js';

interface AddOptions {
  network?: string;
  vif?: string;
  group?: string;
  direction: string;
  priority: number;
  protocol: string;
  cidr?: string;
  addressSet?: string;
  remoteGroup?: string;
  port?: { portFrom: number; portTo: number };
  action: string;
  stateless?: boolean;
  id?: string;
  wait?: boolean;
}

/** from-vm or to-vm; the old words are refused with what to write instead, as the master does. */
function aclDirection(value: string): string {
  if (isRenamedAclDirection(value))
    throw new InvalidArgumentError(renamedAclDirectionMessage(value));
  if (!(ACL_DIRECTIONS as readonly string[]).includes(value)) {
    throw new InvalidArgumentError(`Allowed choices are ${ACL_DIRECTIONS.join(', ')}.`);
  }
  return value;
}

export function registerAcl(program: Command, io: CliIo): void {
  const acl = program
    .command('acl')
    .description('pool-wide ACL rules on a network, a VIF or a security group: add, remove, list')
    .addHelpText(
      'after',
      examples(
        'poolctl acl add --network prod --direction to-vm --priority 100 --protocol tcp --port 443 --action allow',
      ),
    );

  acl
    .command('add')
    .alias('create')
    .description(
      'add a rule; two rules with the same scope, direction and priority must not overlap. ' +
        'Prints the rule id',
    )
    .option('--network <network>', 'apply to every port of this network (id or name)')
    .option('--vif <vif>', 'apply to this VIF')
    .option('--group <group>', 'apply to each member of this security group (id or name)')
    .requiredOption(
      '--direction <direction>',
      'from-vm (what the VM sends) or to-vm (what is delivered to it); ' +
        "Neutron's ingress is to-vm, its egress from-vm",
      aclDirection,
    )
    .requiredOption('--priority <n>', 'priority 0–32767', integer)
    .addOption(
      new Option('--protocol <protocol>', 'protocol').choices(ACL_PROTOCOLS).default('any'),
    )
    .addOption(
      new Option(
        '--cidr <prefix>',
        'remote prefix, host bits clear (default: any address)',
      ).conflicts(['addressSet', 'remoteGroup']),
    )
    .addOption(
      new Option(
        '--address-set <set>',
        'remote side: the prefixes of this address set, as it changes (id or name)',
      ).conflicts('remoteGroup'),
    )
    .option(
      '--remote-group <group>',
      "remote side: every address of this security group's members, pool-wide (id or name)",
    )
    .option('--port <port>', 'PORT or FROM-TO (tcp/udp only; default: every port)', portRange)
    .addOption(
      new Option(
        '--action <action>',
        'what happens to a match; allow admits the replies of what it allows (stateful). ' +
          'There is no reject: nothing here can answer with a TCP reset or ICMP unreachable',
      )
        .choices(ACL_ACTIONS)
        .makeOptionMandatory(),
    )
    .option(
      '--stateless',
      "with --action allow: track nothing (OVN's allow-stateless); replies need their own rule",
    )
    .option('--id <id>', 'the rule id (default: a new UUID)')
    .option('--wait', WAIT_HELP)
    .addHelpText(
      'after',
      examples(
        'poolctl acl add --network prod --direction to-vm --priority 100 \\\n' +
          '      --protocol tcp --cidr 10.0.0.0/8 --port 8000-8080 --action allow',
        'poolctl acl add --vif 1f0e… --direction from-vm --priority 10 --action drop --wait',
        'poolctl acl add --group web --direction to-vm --priority 100 \\\n' +
          '      --protocol tcp --port 443 --address-set office --action allow',
        'poolctl acl add --group db --direction to-vm --priority 100 \\\n' +
          '      --protocol tcp --port 5432 --remote-group web --action allow',
      ),
    )
    .action(
      verb<AddOptions>(io, async (ctx, _args, options) => {
        const pool = ctx.pool();
        const scope = scopeOf(options, 'acl add');
        const refs = {
          ...scopeRefs(scope),
          addressSet: options.addressSet,
          remoteGroup: options.remoteGroup,
        };
        const add = (ids: Ids) =>
          createAclRule(pool, {
            ruleId: options.id,
            scope: scopeWith(scope, ids),
            direction: options.direction,
            priority: options.priority,
            match: {
              protocol: options.protocol,
              cidr: options.cidr,
              addressSetId: ids.addressSet,
              remoteGroupId: ids.remoteGroup,
              ...options.port,
            },
            action: options.action,
            ...(options.stateless ? { stateless: true } : {}),
          });
        printApplied(ctx, await applyNamed(ctx, pool, refs, add, options));
      }),
    );

  acl
    .command('remove')
    .description('remove an ACL rule')
    .argument('<rule>', 'the rule id')
    .option('--wait', WAIT_HELP)
    .addHelpText('after', examples('poolctl acl remove 7c1d… --wait'))
    .action(
      verb<{ wait?: boolean }>(io, async (ctx, [id], options) => {
        const pool = ctx.pool();
        printApplied(ctx, await applyCommand(ctx, pool, deleteAclRule(pool, id!), options));
      }),
    );

  acl
    .command('list')
    .description('list the ACL rules')
    .addHelpText('after', examples('poolctl acl list', 'poolctl acl list -o json'))
    .action(
      verb(io, async (ctx) => {
        printList(ctx, await ctx.reads.acls(ctx.pool()), ACL_COLUMNS);
      }),
    );
}
