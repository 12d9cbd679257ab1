import { ACL_DEFAULT_POLICIES, NETWORK_PURPOSES } from '@pool/domain';
import { EnumField, IdField, IntField, MAX_TOKEN, NameField, TextField } from './fields.js';

class NetworkCommon {
  @IdField({ description: 'The network id' })
  networkId!: string;

  @NameField({
    description: 'A name unique in the pool (any case), 1–64 printable characters',
    example: 'prod-vlan-100',
  })
  name!: string;

  @EnumField(NETWORK_PURPOSES, { description: 'The traffic the network carries' })
  purpose!: string;

  @IntField({
    description: 'MTU, 68–9216',
    presence: 'optional',
    minimum: 68,
    maximum: 9216,
    default: 1500,
  })
  mtu?: number;
}

/** Uplinked on every host to the PIF or bond named `device`, tagged with `vlan` or not. */
export class CreateExternalNetworkData extends NetworkCommon {
  @EnumField(['external'], { description: 'An uplinked network' })
  kind!: 'external';

  @TextField({
    description: 'The PIF or bond device each host uplinks it to',
    maxLength: MAX_TOKEN,
    example: 'eth1',
  })
  device!: string;

  @IntField({
    description: 'VLAN tag 1–4094; absent or null: untagged',
    presence: 'nullable',
    minimum: 1,
    maximum: 4094,
    example: 100,
  })
  vlan?: number | null;
}

/** No uplink: VMs on it never reach the server NICs. */
export class CreatePrivateNetworkData extends NetworkCommon {
  @EnumField(['private'], { description: 'A network without uplink' })
  kind!: 'private';
}

/**
 * Across hosts over VXLAN tunnels between their tunnel endpoints; the pool allocates its VNI.
 * `mtu` defaults to 1450 and must fit every host's underlay MTU minus VXLAN's overhead.
 */
export class CreateOverlayNetworkData extends NetworkCommon {
  @EnumField(['overlay'], { description: 'A cross-host private network over VXLAN' })
  kind!: 'overlay';
}

/** Reported when `kind` is neither, so the error names `kind` and not the external fields. */
export class CreateNetworkAnyKindData extends NetworkCommon {
  @EnumField(['external', 'private', 'overlay'], { description: 'external, private or overlay' })
  kind!: string;

  @TextField({ description: 'external only', presence: 'optional', maxLength: MAX_TOKEN })
  device?: string;

  @IntField({ description: 'external only', presence: 'nullable' })
  vlan?: number | null;
}

export class UpdateNetworkData {
  @IdField({ description: 'The network id' })
  networkId!: string;

  @NameField({ description: 'A new name', presence: 'optional' })
  name?: string;

  @IntField({ description: 'A new MTU, 68–9216', presence: 'optional', minimum: 68, maximum: 9216 })
  mtu?: number;
}

export class SetNetworkAclDefaultData {
  @IdField({ description: 'The network id' })
  networkId!: string;

  @EnumField(ACL_DEFAULT_POLICIES, {
    description:
      'What its ports do with IP traffic no rule allows: `allow` (every network at first) or ' +
      '`deny` (replies to allowed connections, DHCP and IPv6 neighbour discovery still pass)',
  })
  defaultPolicy!: string;
}

/** CreateNetwork's data is one of the two, by `kind`. */
export const createNetworkSchema = (data: Record<string, unknown>) =>
  data.kind === 'private'
    ? CreatePrivateNetworkData
    : data.kind === 'overlay'
      ? CreateOverlayNetworkData
      : data.kind === 'external'
        ? CreateExternalNetworkData
        : CreateNetworkAnyKindData;
