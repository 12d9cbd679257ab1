import { type Command } from 'commander';
import { ApiError, usageError } from '../cli/errors.js';
import { type Context } from '../cli/context.js';
import { type CliIo } from '../cli/io.js';
import { commaList, integer, rateSpec, repeatable } from '../cli/parsers.js';
import { VIF_COLUMNS, vifFields } from '../output/columns.js';
import {
  createVif,
  destroyVif,
  updateVif,
  type Qos,
  type VifAddressing,
} from '../requests/master-requests.js';
import { applyCommand, printApplied } from './mutation.js';
import { applyNamed, type Ids } from './named-command.js';
import { examples, printList, printObject, verb, WAIT_HELP } from './verb.js';

type Rate = { kbps: number; burstKb: number };
type Pair = { ip: string; mac?: string };

/** `IP` or `IP@MAC` (both IPv6 and MACs hold colons). */
const pairSpec = (value: string): Pair => {
  const [ip, mac] = value.split('@');
  return mac === undefined ? { ip: ip!.trim() } : { ip: ip!.trim(), mac: mac.trim() };
};

interface AddressingOptions {
  ipv4?: string | false;
  ipv6?: string | false;
  extraIps?: string[] | false;
  allowedPair?: Pair[];
  allowedPairs?: false;
  qosIn?: Rate;
  qosOut?: Rate;
  qos?: false;
  portSecurity?: boolean;
}

interface CreateOptions extends AddressingOptions {
  network: string;
  device?: number;
  mac?: string;
  id?: string;
  wait?: boolean;
}

interface UpdateOptions extends AddressingOptions {
  vm?: string;
  wait?: boolean;
}

/** Both directions of QoS from --qos-in/--qos-out: the one not given is unlimited (0). */
function qosOf(options: AddressingOptions): Qos | null | undefined {
  if (options.qos === false) {
    if (options.qosIn || options.qosOut)
      throw usageError('--no-qos clears QoS: give no rates with it');
    return null;
  }
  if (!options.qosIn && !options.qosOut) return undefined;
  return {
    ingressKbps: options.qosIn?.kbps ?? 0,
    ingressBurstKb: options.qosIn?.burstKb ?? 0,
    egressKbps: options.qosOut?.kbps ?? 0,
    egressBurstKb: options.qosOut?.burstKb ?? 0,
  };
}

/** `--ipv4 ADDR` sets, `--no-ipv4` clears (null), neither leaves it. */
const address = (value: string | false | undefined): string | null | undefined =>
  value === false ? null : value;

export function addressingOf(options: AddressingOptions): VifAddressing {
  if (options.allowedPairs === false && options.allowedPair) {
    throw usageError('--no-allowed-pairs clears the pairs: give no --allowed-pair with it');
  }
  return {
    ipv4: address(options.ipv4),
    ipv6: address(options.ipv6),
    extraIps: options.extraIps === false ? [] : options.extraIps,
    allowedPairs: options.allowedPairs === false ? [] : options.allowedPair,
    qos: qosOf(options),
    portSecurity: options.portSecurity,
  };
}

/** A VIF with its VM, from the VM given (id or name) or else looked up among all. */
async function findVif(ctx: Context, pool: string, vif: string, vmRef?: string) {
  const vms =
    vmRef === undefined
      ? await ctx.reads.vms(pool)
      : [await ctx.reads.vm(pool, await ctx.names.vm(pool, vmRef))];
  for (const vm of vms) {
    const found = vm.vifs.find((f) => f.id === vif);
    if (found) return { ...found, vmId: vm.id };
  }
  throw new ApiError(404, 'VIF_NOT_FOUND', `VIF ${vif} does not exist.`);
}

/** The VM a VIF belongs to: its URL names it, though the master does not check it. */
async function vmOfVif(ctx: Context, pool: string, vif: string, given?: string): Promise<string> {
  // The master does not check it: a name there does no harm, and needs no lookup.
  if (given !== undefined) return given;
  const vm = (await ctx.reads.vms(pool)).find((v) => v.vifs.some((f) => f.id === vif));
  if (!vm) throw new ApiError(404, 'VIF_NOT_FOUND', `VIF ${vif} does not exist.`);
  return vm.id;
}

const addressingOptions = (command: Command, update: boolean): Command => {
  command
    .option('--ipv4 <address>', 'IPv4 address, unique on the network')
    .option('--ipv6 <address>', 'IPv6 address, unique on the network')
    .option(
      '--extra-ips <list>',
      'further addresses of either family, comma-separated, unique on the network (replaces the list)',
      commaList,
    )
    .option(
      '--allowed-pair <ip[@mac]>',
      'a VIP the VIF may also send from, shared with other VIFs (VRRP); repeatable, replaces the list',
      repeatable(pairSpec),
    )
    .option(
      '--qos-in <rate>',
      'ingress limit RATE[/BURST] in kbit/s and kbit (0: unlimited)',
      rateSpec,
    )
    .option(
      '--qos-out <rate>',
      'egress limit RATE[/BURST] in kbit/s and kbit (0: unlimited)',
      rateSpec,
    )
    .option(
      '--port-security',
      'only the VIF own MAC and addresses (and its pairs) may send; no RA or DHCP server replies',
    );
  if (update) {
    command
      .option('--no-ipv4', 'clear the IPv4 address')
      .option('--no-ipv6', 'clear the IPv6 address')
      .option('--no-extra-ips', 'clear the further addresses')
      .option('--no-allowed-pairs', 'clear the allowed address pairs')
      .option('--no-qos', 'remove the rate limits')
      .option('--no-port-security', 'let the VIF send from any address');
  }
  return command;
};

export function registerVif(program: Command, io: CliIo): void {
  const vif = program
    .command('vif')
    .description("VMs' virtual NICs: create, update, destroy, list")
    .addHelpText(
      'after',
      examples('poolctl vif create web-1 --network prod --ipv4 192.0.2.10 --port-security'),
    );

  addressingOptions(
    vif
      .command('create')
      .description('plug a VIF of a VM into a network; prints its id')
      .argument('<vm>', 'the VM id, or its name if no other VM has it')
      .requiredOption('--network <network>', 'the network id or name')
      .option(
        '--device <n>',
        "device index 0–15, unique per VM (default: the VM's lowest free index, chosen by the pool)",
        integer,
      )
      .option('--mac <mac>', 'a unicast MAC unique in the pool (default: the pool generates one)')
      .option('--id <id>', 'the VIF id (default: a new UUID)'),
    false,
  )
    .option('--wait', WAIT_HELP)
    .addHelpText(
      'after',
      examples(
        'poolctl vif create web-1 --network prod --ipv4 192.0.2.10',
        'poolctl vif create web-1 --network backend --device 3 --mac 02:00:00:00:00:11 \\\n' +
          '      --qos-in 100000/10000 --qos-out 100000/10000 --port-security --wait',
      ),
    )
    .action(
      verb<CreateOptions>(io, async (ctx, [ref], options) => {
        const pool = ctx.pool();
        const create = ({ vm, network }: Ids) =>
          createVif(pool, vm!, {
            vifId: options.id,
            device: options.device,
            networkId: network!,
            mac: options.mac,
            ...addressingOf(options),
          });
        const refs = { vm: ref!, network: options.network };
        printApplied(ctx, await applyNamed(ctx, pool, refs, create, options));
      }),
    );

  addressingOptions(
    vif
      .command('update')
      .description("change a VIF's addresses, QoS or port security (what is not given stays)")
      .argument('<vif>', 'the VIF id')
      .option('--vm <vm>', 'its VM, id or name (default: looked up)'),
    true,
  )
    .option('--wait', WAIT_HELP)
    .addHelpText(
      'after',
      examples(
        'poolctl vif update 1f0e… --ipv4 192.0.2.20 --wait',
        'poolctl vif update 1f0e… --no-qos --no-port-security',
        'poolctl vif update 1f0e… --extra-ips 192.0.2.21,2001:db8::21 \\\n' +
          '      --allowed-pair 192.0.2.100 --allowed-pair 192.0.2.101@00:00:5e:00:01:01',
      ),
    )
    .action(
      verb<UpdateOptions>(io, async (ctx, [id], options) => {
        const changes = addressingOf(options);
        if (Object.values(changes).every((value) => value === undefined)) {
          throw usageError('vif update needs something to change: see --help');
        }
        const pool = ctx.pool();
        const vm = await vmOfVif(ctx, pool, id!, options.vm);
        printApplied(
          ctx,
          await applyCommand(ctx, pool, updateVif(pool, vm, id!, changes), options),
        );
      }),
    );

  vif
    .command('destroy')
    .description('unplug a VIF; its ACL rules and mirrors go with it')
    .argument('<vif>', 'the VIF id')
    .option('--vm <vm>', 'its VM, id or name (default: looked up)')
    .option('--wait', WAIT_HELP)
    .addHelpText('after', examples('poolctl vif destroy 1f0e…'))
    .action(
      verb<{ vm?: string; wait?: boolean }>(io, async (ctx, [id], options) => {
        const pool = ctx.pool();
        const vm = await vmOfVif(ctx, pool, id!, options.vm);
        printApplied(ctx, await applyCommand(ctx, pool, destroyVif(pool, vm, id!), options));
      }),
    );

  vif
    .command('show')
    .description(
      'show a VIF: addresses, policy, and its switch port and bridge on each host that holds it',
    )
    .argument('<vif>', 'the VIF id')
    .option('--vm <vm>', 'its VM, id or name (default: looked up)')
    .addHelpText(
      'after',
      '\nThe port name is also the name of the device the hypervisor creates for the VIF (a tap,\n' +
        'or the host end of a veth); the member host adds that device to the bridge. Both names\n' +
        'depend on ids alone, so they are known before the VM starts.\n' +
        examples('poolctl vif show 1f0e…', 'poolctl vif show 1f0e… -o json'),
    )
    .action(
      verb<{ vm?: string }>(io, async (ctx, [id], options) => {
        const view = await findVif(ctx, ctx.pool(), id!, options.vm);
        printObject(ctx, view, vifFields(view));
      }),
    );

  vif
    .command('list')
    .description('list VIFs with their MAC, IPs, QoS and port security')
    .option('--vm <vm>', 'only the VIFs of this VM (id or name)')
    .option('--network <network>', 'only the VIFs on this network (id or name)')
    .addHelpText(
      'after',
      examples('poolctl vif list --vm web-1', 'poolctl vif list --network prod -o json'),
    )
    .action(
      verb<{ vm?: string; network?: string }>(io, async (ctx, _args, options) => {
        const pool = ctx.pool();
        const [vm, network] = await Promise.all([
          ctx.names.optional(pool, 'vm', options.vm),
          ctx.names.optional(pool, 'network', options.network),
        ]);
        const vms = vm ? [await ctx.reads.vm(pool, vm)] : await ctx.reads.vms(pool);
        const rows = vms
          .flatMap((v) => v.vifs.map((f) => ({ ...f, vmId: v.id })))
          .filter((f) => network === undefined || f.networkId === network);
        printList(ctx, rows, VIF_COLUMNS);
      }),
    );
}
