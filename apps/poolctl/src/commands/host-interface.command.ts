import { type Command } from 'commander';
import { type CliIo } from '../cli/io.js';
import { usageError } from '../cli/errors.js';
import {
  configureHostInterface,
  removeHostInterface,
  type IpConfigSpec,
} from '../requests/master-requests.js';
import { applyNamed, type Ids } from './named-command.js';
import { printApplied } from './mutation.js';
import { examples, verb, WAIT_HELP } from './verb.js';

interface InterfaceOptions {
  purpose?: string;
  device?: string;
  vlan?: string;
  placement?: string;
  ipv4?: string;
  gateway?: string;
  ipv6?: string;
  gateway6?: string;
  dns?: string;
  replaces?: string;
  remove?: boolean;
  wait?: boolean;
}

/** `none`, `dhcp`, `autoconf` as modes; anything else is a static `address/prefix`. */
const ipConfig = (
  value: string | undefined,
  gateway: string | undefined,
): IpConfigSpec | undefined => {
  if (value === undefined) {
    if (gateway !== undefined) throw usageError('a gateway needs a static address');
    return undefined;
  }
  if (['none', 'dhcp', 'autoconf'].includes(value)) {
    if (gateway !== undefined) throw usageError(`a gateway needs a static address, not ${value}`);
    return { mode: value };
  }
  return { mode: 'static', address: value, ...(gateway === undefined ? {} : { gateway }) };
};

/** `poolctl host interface`: a host's management and storage interfaces (PIF.reconfigure_ip). */
export function registerHostInterface(host: Command, io: CliIo, hostArg: string): void {
  host
    .command('interface')
    .description(
      "configure (or move) a host's management or storage interface: on a PIF, a bond or a " +
        'VLAN, DHCP or a static address; --remove takes a storage interface away',
    )
    .argument('<host>', hostArg)
    .argument('<name>', 'the interface name on the host (mgmt0…)')
    .option('--purpose <purpose>', 'management or storage', 'management')
    .option('--device <device>', 'the PIF or bond it sits on')
    .option('--vlan <tag>', 'a VLAN on that device')
    .option(
      '--placement <placement>',
      'internal (a port on the NIC bridge) or pif (the NIC itself)',
    )
    .option('--ipv4 <config>', 'none, dhcp or address/prefix')
    .option('--gateway <address>', 'the IPv4 default gateway (management, static)')
    .option('--ipv6 <config>', 'none, dhcp, autoconf or address/prefix')
    .option('--gateway6 <address>', 'the IPv6 default gateway (management, static)')
    .option('--dns <servers>', 'comma-separated DNS servers (management, at most 3)')
    .option(
      '--replaces <name>',
      'the interface this one takes the place of, in the same change (moves a management ' +
        'address off the NIC it was placed on, whose name it bears, onto the NIC bridge)',
    )
    .option('--remove', 'remove the interface (storage only)')
    .option('--wait', WAIT_HELP)
    .addHelpText(
      'after',
      examples(
        'poolctl host interface host-a mgmt0 --device eth0 --ipv4 192.0.2.11/24 --gateway 192.0.2.1 --wait',
        'poolctl host interface host-a mgmt0 --device bond0 --vlan 30 --ipv4 198.51.100.11/24 --wait',
        'poolctl host interface host-a stor0 --purpose storage --device eth2 --ipv4 dhcp',
        'poolctl host interface host-a mgmt0 --device eth0 --ipv4 192.0.2.11/24 --replaces eth0 --wait',
      ),
    )
    .action(
      verb<InterfaceOptions>(io, async (ctx, [id, name], o) => {
        const pool = ctx.pool();
        let request: (ids: Ids) => ReturnType<typeof removeHostInterface>;
        if (o.remove) {
          request = ({ host }) => removeHostInterface(pool, host!, name!);
        } else {
          if (o.device === undefined)
            throw usageError('host interface needs --device (or --remove)');
          const vlan = o.vlan === undefined ? undefined : Number(o.vlan);
          if (vlan !== undefined && !Number.isInteger(vlan))
            throw usageError('--vlan takes a number');
          const data = {
            purpose: o.purpose ?? 'management',
            device: o.device,
            ...(vlan === undefined ? {} : { vlan }),
            ...(o.placement === undefined ? {} : { placement: o.placement }),
            ipv4: ipConfig(o.ipv4, o.gateway),
            ipv6: ipConfig(o.ipv6, o.gateway6),
            ...(o.dns === undefined ? {} : { dns: o.dns.split(',').filter((s) => s !== '') }),
            ...(o.replaces === undefined ? {} : { replaces: o.replaces }),
          };
          request = ({ host }) => configureHostInterface(pool, host!, name!, data);
        }
        printApplied(ctx, await applyNamed(ctx, pool, { host: id! }, request, o));
      }),
    );
}
