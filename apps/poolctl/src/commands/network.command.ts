import { Argument, Option, type Command } from 'commander';
import { bridgeName } from '@pool/contracts';
import { ACL_DEFAULT_POLICIES, NETWORK_PURPOSES } from '@pool/domain';
import { usageError } from '../cli/errors.js';
import { type CliIo } from '../cli/io.js';
import { integer } from '../cli/parsers.js';
import { NETWORK_COLUMNS } from '../output/columns.js';
import type { NetworkView } from '../read/views.js';
import {
  createNetwork,
  destroyNetwork,
  setNetworkAclDefault,
  updateNetwork,
  type AclDefaultPolicy,
  type NetworkSpec,
} from '../requests/master-requests.js';
import { applyCommand, printApplied } from './mutation.js';
import { applyNamed, type Ids } from './named-command.js';
import { examples, printList, printObject, verb, WAIT_HELP } from './verb.js';

const NETWORK_ARG = 'the network id or name';

export interface CreateNetworkOptions {
  uplink?: string;
  vlan?: number;
  private?: boolean;
  overlay?: boolean;
  purpose: string;
  mtu?: number;
  id?: string;
  wait?: boolean;
}

/**
 * An external network needs its uplink device; a private or overlay one has none and no VLAN
 * (an overlay crosses hosts over VXLAN; the pool allocates its VNI).
 */
export function networkSpec(name: string, options: CreateNetworkOptions): NetworkSpec {
  const common = { networkId: options.id, name, purpose: options.purpose, mtu: options.mtu };
  if (options.private && options.overlay) {
    throw usageError('a network is --private (one host) or --overlay (across hosts), not both');
  }
  if (options.overlay) {
    if (options.uplink !== undefined || options.vlan !== undefined) {
      throw usageError('an --overlay network has no --uplink and no --vlan');
    }
    return { ...common, kind: 'overlay' };
  }
  if (options.private) {
    if (options.uplink !== undefined || options.vlan !== undefined) {
      throw usageError('a --private network has no --uplink and no --vlan');
    }
    return { ...common, kind: 'private' };
  }
  if (options.uplink === undefined) {
    throw usageError('network create needs --uplink <device> (external), --private or --overlay');
  }
  return { ...common, kind: 'external', device: options.uplink, vlan: options.vlan };
}

/**
 * An overlay's underlay, a row per host with a tunnel endpoint: what the decider holds its MTU
 * to (OVERLAY_MTU_TOO_LARGE below headroom 0).
 */
export function underlayRows(view: NetworkView): [string, string][] {
  return (view.underlay ?? []).map((u) => [
    `underlay ${u.hostId}`,
    `${u.device} ${u.address}: MTU ${u.underlayMtu} − VXLAN ${u.overhead} − ${view.mtu} = ` +
      `headroom ${u.headroom}`,
  ]);
}

export function registerNetwork(program: Command, io: CliIo): void {
  const network = program
    .command('network')
    .description(
      'pool-wide networks (logical switches): create, update, acl-default, destroy, list, show',
    )
    .addHelpText(
      'after',
      examples(
        'poolctl network create prod --uplink eth1 --vlan 100 --wait',
        'poolctl network create backend --private',
      ),
    );

  network
    .command('create')
    .description(
      'create an external network (uplinked on every host to --uplink, tagged with --vlan or ' +
        'not), a --private one (no uplink) or an --overlay one (across hosts); prints its id',
    )
    .argument('<name>', 'a name unique in the pool, 1–64 printable characters')
    .option('--uplink <device>', 'the PIF or bond device each host uplinks it to (external)')
    .option('--vlan <tag>', 'VLAN tag 1–4094 (external; default untagged)', integer)
    .option('--private', 'no uplink: its VMs never reach the server NICs')
    .option(
      '--overlay',
      'across hosts over VXLAN between their tunnel endpoints (host tunnel-endpoint); ' +
        'default MTU 1450',
    )
    .addOption(
      new Option('--purpose <purpose>', 'the traffic it carries')
        .choices(NETWORK_PURPOSES)
        .default('vm'),
    )
    .option('--mtu <mtu>', 'MTU, 68–9216 (default 1500)', integer)
    .option('--id <id>', 'the network id (default: a new UUID)')
    .option('--wait', WAIT_HELP)
    .addHelpText(
      'after',
      examples(
        'poolctl network create prod-vlan-100 --uplink eth1 --vlan 100 --wait',
        'poolctl network create storage --uplink bond0 --purpose storage --mtu 9000 --id storage',
        'poolctl network create backend --private',
        'poolctl network create tenant-a --overlay --wait',
      ),
    )
    .action(
      verb<CreateNetworkOptions>(io, async (ctx, [name], options) => {
        const pool = ctx.pool();
        const request = createNetwork(pool, networkSpec(name!, options));
        printApplied(ctx, await applyCommand(ctx, pool, request, options));
      }),
    );

  network
    .command('update')
    .description('rename a network or change its MTU')
    .argument('<network>', NETWORK_ARG)
    .option('--name <name>', 'a new name')
    .option('--mtu <mtu>', 'a new MTU, 68–9216', integer)
    .option('--wait', WAIT_HELP)
    .addHelpText('after', examples('poolctl network update prod --mtu 9000 --wait'))
    .action(
      verb<{ name?: string; mtu?: number; wait?: boolean }>(io, async (ctx, [id], options) => {
        if (options.name === undefined && options.mtu === undefined) {
          throw usageError('network update needs --name, --mtu or both');
        }
        const pool = ctx.pool();
        const changes = { name: options.name, mtu: options.mtu };
        const update = ({ network }: Ids) => updateNetwork(pool, network!, changes);
        printApplied(ctx, await applyNamed(ctx, pool, { network: id! }, update, options));
      }),
    );

  network
    .command('acl-default')
    .description(
      "set what a network's ports do with IP no ACL rule allows: allow (as at first) or deny " +
        '(replies to what is allowed, DHCP and IPv6 neighbour discovery still pass)',
    )
    .argument('<network>', NETWORK_ARG)
    .addArgument(new Argument('<policy>', 'allow or deny').choices(ACL_DEFAULT_POLICIES))
    .option('--wait', WAIT_HELP)
    .addHelpText('after', examples('poolctl network acl-default prod deny --wait'))
    .action(
      verb<{ wait?: boolean }>(io, async (ctx, [id, policy], options) => {
        const pool = ctx.pool();
        const set = ({ network }: Ids) =>
          setNetworkAclDefault(pool, network!, policy as AclDefaultPolicy);
        printApplied(ctx, await applyNamed(ctx, pool, { network: id! }, set, options));
      }),
    );

  network
    .command('destroy')
    .description('destroy a network without VIFs; its ACL rules and mirrors go with it')
    .argument('<network>', NETWORK_ARG)
    .option('--wait', WAIT_HELP)
    .addHelpText('after', examples('poolctl network destroy backend'))
    .action(
      verb<{ wait?: boolean }>(io, async (ctx, [id], options) => {
        const pool = ctx.pool();
        const destroy = ({ network }: Ids) => destroyNetwork(pool, network!);
        printApplied(ctx, await applyNamed(ctx, pool, { network: id! }, destroy, options));
      }),
    );

  network
    .command('list')
    .description('list the networks')
    .addHelpText('after', examples('poolctl network list', 'poolctl network list -o json'))
    .action(
      verb(io, async (ctx) => {
        printList(ctx, await ctx.reads.networks(ctx.pool()), NETWORK_COLUMNS);
      }),
    );

  network
    .command('show')
    .description('show a network')
    .argument('<network>', NETWORK_ARG)
    .addHelpText('after', examples('poolctl network show prod'))
    .action(
      verb(io, async (ctx, [id]) => {
        const pool = ctx.pool();
        const view = await ctx.reads.network(pool, await ctx.names.network(pool, id!));
        printObject(ctx, view, [
          ['id', view.id],
          ['name', view.name],
          ['kind', view.kind],
          ['purpose', view.purpose],
          ['uplink', view.device ?? view.uplinks?.map((u) => `${u.hostId}:${u.device}`)],
          ['vlan', view.vlan],
          ...(view.kind === 'overlay' ? ([['vni', view.vni]] as const) : []),
          ['mtu', view.mtu],
          ['bridge', view.bridge ?? bridgeName(view.id)],
          ['acl default', view.aclDefault ?? 'allow'],
          ...underlayRows(view),
        ]);
      }),
    );
}
