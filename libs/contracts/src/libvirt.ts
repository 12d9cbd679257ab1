import { bridgeName, portName } from './switch-names.js';

/*
 * What poolnet and a libvirt domain say to each other: the `<interface>` elements poolctl prints
 * for a VM's VIFs, the `<metadata>` element that names the poolnet VM a domain is, and what the
 * libvirt hook (deploy/libvirt/hooks/qemu) hands the member host. Pure, so poolctl, the member
 * host and their tests share one spelling.
 */

/**
 * The namespace of poolnet's element in a domain's `<metadata>` (libvirt keeps any element under
 * a namespace of its own). A URN: nothing is to be fetched from it.
 */
export const LIBVIRT_METADATA_NS = 'urn:poolnet:libvirt:1';

/**
 * How a member host binds a VIF (its VIF_BINDING): `iface-id` adopts the interface libvirt plugs
 * into the network's bridge with `external_ids:iface-id=<VIF id>` (`<interface type='bridge'>`
 * with an openvswitch virtualport); `name` expects a device under the port's name, which it adds
 * to the bridge itself (`<interface type='ethernet'>`: libvirt creates the tap and plugs nothing).
 */
export type LibvirtBinding = 'iface-id' | 'name';

export interface LibvirtVif {
  id: string;
  mac: string;
  networkId: string;
  /** The network's MTU, given to the tap and, with virtio, to the guest. */
  mtu: number;
}

/** libvirt parses an openvswitch interfaceid as a UUID and writes it back lowercase. */
const LIBVIRT_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Whether libvirt can carry this VIF id as its interfaceid and write it back unchanged. */
export const isLibvirtInterfaceId = (vifId: string): boolean => LIBVIRT_UUID.test(vifId);

/** An XML attribute value between single quotes, as libvirt writes its own. */
export const xmlAttribute = (value: string): string =>
  `'${value.replace(/[&<>'"]/g, (c) => `&#${c.charCodeAt(0)};`)}'`;

/** An XML comment: its text may hold no `--` and end in no `-`, which an id may. */
export const xmlComment = (text: string): string =>
  `<!-- ${text.replace(/-(?=-)/g, '- ').replace(/-$/, '- ')} -->`;

/** The element naming the poolnet VM a domain is, for the domain's `<metadata>`. */
export const libvirtMetadataXml = (pool: string, vmId: string): string =>
  `<poolnet:vm xmlns:poolnet=${xmlAttribute(LIBVIRT_METADATA_NS)} ` +
  `pool=${xmlAttribute(pool)} id=${xmlAttribute(vmId)}/>`;

/**
 * One VIF as a domain's `<interface>`, indented for `<devices>`. `iface-id`: the bridge, the MAC
 * and the VIF id as interfaceid; no `<target dev>`, libvirt names the tap (vnetN) and the member
 * host adopts it by its iface-id. `name`: the port's name as the tap's, no bridge. The VIF id must
 * pass isLibvirtInterfaceId for `iface-id` (the caller refuses it otherwise).
 */
export function libvirtInterfaceXml(vif: LibvirtVif, binding: LibvirtBinding): string {
  const lines =
    binding === 'iface-id'
      ? [
          `<interface type='bridge'>`,
          `  <source bridge=${xmlAttribute(bridgeName(vif.networkId))}/>`,
          `  <mac address=${xmlAttribute(vif.mac)}/>`,
          `  <virtualport type='openvswitch'>`,
          `    <parameters interfaceid=${xmlAttribute(vif.id)}/>`,
          `  </virtualport>`,
        ]
      : [
          `<interface type='ethernet'>`,
          `  <mac address=${xmlAttribute(vif.mac)}/>`,
          `  <target dev=${xmlAttribute(portName(vif.id))}/>`,
        ];
  lines.push(`  <model type='virtio'/>`, `  <mtu size=${xmlAttribute(String(vif.mtu))}/>`);
  lines.push(`</interface>`);
  return lines.join('\n');
}

/** The operations libvirt calls /etc/libvirt/hooks/qemu with (libvirt's hooks documentation). */
export const LIBVIRT_HOOK_OPERATIONS = [
  'prepare',
  'start',
  'started',
  'stopped',
  'release',
  'migrate',
  'restore',
  'reconnect',
  'attach',
] as const;
export type LibvirtHookOperation = (typeof LIBVIRT_HOOK_OPERATIONS)[number];

/**
 * What the member host did with one call of the hook: the command it sent (and the master's
 * answer), or why it sent none. The hook logs it; nothing in it blocks libvirt.
 */
export interface HypervisorHookAnswer {
  vmId: string | null;
  /** `sent`: the master applied it; `refused`: the master refused it; `skipped`: none needed. */
  outcome: 'sent' | 'refused' | 'skipped';
  command?: string;
  reason: string;
  /** The master's answer to the command: its version, or its error code. */
  version?: number;
  code?: string;
}
