import {
  isLibvirtInterfaceId,
  libvirtInterfaceXml,
  libvirtMetadataXml,
  xmlComment,
  type LibvirtBinding,
} from '@pool/contracts';
import { CliError } from '../cli/errors.js';
import { ExitCode } from '../cli/exit-codes.js';
import type { NetworkView, VmView } from '../read/views.js';

/**
 * What `poolctl vm libvirt-xml` prints: the `<metadata>` element that names the poolnet VM (the
 * hook finds the VM by it) and one `<interface>` per VIF, in device order, each ready to paste
 * into the domain's `<devices>`.
 */
export function libvirtDomainXml(
  pool: string,
  vm: Pick<VmView, 'id' | 'vifs'>,
  networks: Pick<NetworkView, 'id' | 'mtu'>[],
  binding: LibvirtBinding,
): string {
  const vifs = [...vm.vifs].sort((a, b) => a.device - b.device);
  const notUuids = vifs.filter((vif) => !isLibvirtInterfaceId(vif.id)).map((vif) => vif.id);
  if (binding === 'iface-id' && notUuids.length > 0) {
    throw new CliError(
      ExitCode.Refused,
      'VIF_ID_NOT_UUID',
      `libvirt reads an openvswitch interfaceid as a lowercase UUID, and VIF ${notUuids.join(', ')} ` +
        `of VM ${vm.id} has another id: create its VIFs without --id (a new UUID), or print ` +
        'them for a host with VIF_BINDING=name (--binding name)',
      { vifIds: notUuids },
    );
  }
  const mtuOf = new Map(networks.map((n) => [n.id, n.mtu]));
  const interfaces = vifs.map((vif) => {
    const mtu = mtuOf.get(vif.networkId);
    if (mtu === undefined) {
      throw new CliError(
        ExitCode.Refused,
        'NETWORK_NOT_FOUND',
        `VIF ${vif.id}'s network ${vif.networkId} is not among the pool's networks`,
      );
    }
    const xml = libvirtInterfaceXml({ ...vif, mtu }, binding);
    return `${xmlComment(`VIF ${vif.id}, device ${vif.device}`)}\n${xml}`;
  });
  return [
    xmlComment(`poolnet VM ${vm.id} of pool ${pool}: into the domain's metadata element`),
    '<metadata>',
    `  ${libvirtMetadataXml(pool, vm.id)}`,
    '</metadata>',
    xmlComment(`its interfaces, into the domain's devices (hosts with VIF_BINDING=${binding})`),
    ...interfaces,
  ].join('\n');
}
