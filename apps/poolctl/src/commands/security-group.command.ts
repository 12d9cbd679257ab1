import { Argument, Option, type Command } from 'commander';
import { ACL_DEFAULT_POLICIES } from '@pool/domain';
import { type CliIo } from '../cli/io.js';
import { SECURITY_GROUP_COLUMNS } from '../output/columns.js';
import {
  addSecurityGroupMember,
  createSecurityGroup,
  deleteSecurityGroup,
  removeSecurityGroupMember,
  setSecurityGroupPolicy,
  type AclDefaultPolicy,
} from '../requests/master-requests.js';
import { applyCommand, printApplied } from './mutation.js';
import { applyNamed, type Ids } from './named-command.js';
import { examples, printList, verb, WAIT_HELP } from './verb.js';

const GROUP_ARG = 'the security group id or name';
const POLICY_HELP =
  'deny: members drop IP that no rule allows (replies to what is allowed, DHCP and IPv6 ' +
  'neighbour discovery pass); allow: as ports without groups. A port is deny if its network ' +
  'or any of its groups is';

export function registerSecurityGroup(program: Command, io: CliIo): void {
  const group = program
    .command('security-group')
    .alias('sg')
    .description(
      'pool-wide security groups of VIFs: rules scoped to a group apply to each member, and a ' +
        'rule may take a group as its remote side. create, policy, add-member, remove-member, ' +
        'delete, list',
    )
    .addHelpText(
      'after',
      examples(
        'poolctl sg create web',
        'poolctl sg add-member web 1f0e…',
        'poolctl acl add --group web --direction to-vm --priority 100 --protocol tcp --port 443 --action allow',
      ),
    );

  group
    .command('create')
    .description('create a security group (default policy deny); prints its id')
    .argument('<name>', 'a name unique among security groups, 1–64 printable characters')
    .addOption(
      new Option('--policy <policy>', `${POLICY_HELP} (default: deny)`).choices(
        ACL_DEFAULT_POLICIES,
      ),
    )
    .option('--id <id>', 'the security group id (default: a new UUID)')
    .option('--wait', WAIT_HELP)
    .addHelpText(
      'after',
      examples('poolctl security-group create web', 'poolctl sg create audit --policy allow'),
    )
    .action(
      verb<{ policy?: AclDefaultPolicy; id?: string; wait?: boolean }>(
        io,
        async (ctx, [name], options) => {
          const pool = ctx.pool();
          const request = createSecurityGroup(pool, {
            groupId: options.id,
            name: name!,
            defaultPolicy: options.policy,
          });
          printApplied(ctx, await applyCommand(ctx, pool, request, options));
        },
      ),
    );

  group
    .command('policy')
    .description("set a security group's default policy")
    .argument('<group>', GROUP_ARG)
    .addArgument(new Argument('<policy>', POLICY_HELP).choices(ACL_DEFAULT_POLICIES))
    .option('--wait', WAIT_HELP)
    .addHelpText('after', examples('poolctl sg policy web allow --wait'))
    .action(
      verb<{ wait?: boolean }>(io, async (ctx, [ref, policy], options) => {
        const pool = ctx.pool();
        const set = ({ securityGroup }: Ids) =>
          setSecurityGroupPolicy(pool, securityGroup!, policy as AclDefaultPolicy);
        printApplied(ctx, await applyNamed(ctx, pool, { securityGroup: ref! }, set, options));
      }),
    );

  group
    .command('add-member')
    .description('add a VIF (of any network or host) to a security group')
    .argument('<group>', GROUP_ARG)
    .argument('<vif>', 'the VIF id')
    .option('--wait', WAIT_HELP)
    .addHelpText('after', examples('poolctl sg add-member web 1f0e… --wait'))
    .action(
      verb<{ wait?: boolean }>(io, async (ctx, [ref, vif], options) => {
        const pool = ctx.pool();
        const add = ({ securityGroup }: Ids) => addSecurityGroupMember(pool, securityGroup!, vif!);
        printApplied(ctx, await applyNamed(ctx, pool, { securityGroup: ref! }, add, options));
      }),
    );

  group
    .command('remove-member')
    .description('remove a VIF from a security group')
    .argument('<group>', GROUP_ARG)
    .argument('<vif>', 'the VIF id')
    .option('--wait', WAIT_HELP)
    .addHelpText('after', examples('poolctl sg remove-member web 1f0e…'))
    .action(
      verb<{ wait?: boolean }>(io, async (ctx, [ref, vif], options) => {
        const pool = ctx.pool();
        const remove = ({ securityGroup }: Ids) =>
          removeSecurityGroupMember(pool, securityGroup!, vif!);
        printApplied(ctx, await applyNamed(ctx, pool, { securityGroup: ref! }, remove, options));
      }),
    );

  group
    .command('delete')
    .description(
      'delete a security group with the rules scoped to it and the mirrors watching it; ' +
        'refused while a rule outside it takes it as remote',
    )
    .argument('<group>', GROUP_ARG)
    .option('--wait', WAIT_HELP)
    .addHelpText('after', examples('poolctl security-group delete web --wait'))
    .action(
      verb<{ wait?: boolean }>(io, async (ctx, [ref], options) => {
        const pool = ctx.pool();
        const remove = ({ securityGroup }: Ids) => deleteSecurityGroup(pool, securityGroup!);
        printApplied(ctx, await applyNamed(ctx, pool, { securityGroup: ref! }, remove, options));
      }),
    );

  group
    .command('list')
    .description('list the security groups: policy, rule count and members')
    .addHelpText('after', examples('poolctl sg list', 'poolctl security-group list -o json'))
    .action(
      verb(io, async (ctx) => {
        printList(ctx, await ctx.reads.securityGroups(ctx.pool()), SECURITY_GROUP_COLUMNS);
      }),
    );
}
