import { Option, type Command } from 'commander';
import type { LibvirtBinding } from '@pool/contracts';
import { type CliIo } from '../cli/io.js';
import { libvirtDomainXml } from '../output/libvirt-xml.js';
import { examples, verb } from './verb.js';

/**
 * `poolctl vm libvirt-xml <vm>`: the domain XML that attaches a libvirt VM to its poolnet VIFs
 * (README: attach a libvirt VM). Always XML, whatever --output says: it is pasted, not read.
 */
export function registerVmLibvirtXml(vm: Command, io: CliIo): void {
  vm.command('libvirt-xml')
    .description(
      "print the libvirt domain XML for a VM's VIFs: the <metadata> element naming the VM " +
        '(the libvirt hook finds it by it) and one <interface> per VIF (bridge, MAC, ' +
        'openvswitch virtualport with the VIF id as interfaceid, MTU)',
    )
    .argument('<vm>', 'the VM id, or its name if no other VM has it')
    .addOption(
      new Option(
        '--binding <binding>',
        "how the VM's hosts bind VIFs (member host VIF_BINDING): iface-id adopts the tap " +
          "libvirt plugs into the network's bridge; name expects a tap under the port's name " +
          '(type ethernet, no virtualport)',
      )
        .choices(['iface-id', 'name'])
        .default('iface-id'),
    )
    .addHelpText(
      'after',
      examples(
        'poolctl vm libvirt-xml web-1 > web-1-interfaces.xml',
        'poolctl vm libvirt-xml web-1 --binding name',
      ),
    )
    .action(
      verb<{ binding: LibvirtBinding }>(io, async (ctx, [id], options) => {
        const pool = ctx.pool();
        const vmId = await ctx.names.vm(pool, id!);
        const [view, networks] = await Promise.all([
          ctx.reads.vm(pool, vmId),
          ctx.reads.networks(pool),
        ]);
        ctx.print(libvirtDomainXml(pool, view, networks, options.binding));
      }),
    );
}
