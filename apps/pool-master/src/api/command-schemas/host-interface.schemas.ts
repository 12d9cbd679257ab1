import { HOST_INTERFACE_PLACEMENTS, HOST_INTERFACE_PURPOSES } from '@pool/domain';
import {
  EnumField,
  IdField,
  IntField,
  MAX_TOKEN,
  ObjectField,
  StringListField,
  TextField,
} from './fields.js';

/** One address family of a host interface; the decider checks the modes and addresses. */
export class IpConfigData {
  @EnumField(['none', 'dhcp', 'autoconf', 'static'], {
    description: 'none, dhcp, static, or autoconf (SLAAC, IPv6 only)',
  })
  mode!: string;

  @TextField({
    description: 'With static: the address and its prefix',
    presence: 'optional',
    maxLength: MAX_TOKEN,
    example: '192.0.2.11/24',
  })
  address?: string;

  @TextField({
    description: 'With static, management only: the default gateway, inside the prefix',
    presence: 'nullable',
    maxLength: MAX_TOKEN,
    example: '192.0.2.1',
  })
  gateway?: string | null;
}

/** PUT .../hosts/:host/interfaces/:name, with the two ids from the path. */
export class ConfigureHostInterfaceData {
  @IdField({ description: 'The host id' })
  hostId!: string;

  @TextField({
    description: 'The interface name on the host (an internal port, or the PIF with placement pif)',
    maxLength: MAX_TOKEN,
    docMaxLength: 15,
    example: 'mgmt0',
  })
  name!: string;

  @EnumField(HOST_INTERFACE_PURPOSES, { description: 'One management interface per host' })
  purpose!: string;

  @TextField({
    description: 'The PIF or bond it sits on',
    maxLength: MAX_TOKEN,
    example: 'eth0',
  })
  device!: string;

  @IntField({
    description: 'VLAN 1–4094 (null: untagged)',
    presence: 'nullable',
    minimum: 1,
    maximum: 4094,
  })
  vlan?: number | null;

  @EnumField(HOST_INTERFACE_PLACEMENTS, {
    description:
      'internal: an internal port on the device bridge (networks share the NIC); pif: the untagged PIF itself, kept out of every bridge',
    presence: 'optional',
    default: 'internal',
  })
  placement?: string;

  @ObjectField(() => IpConfigData, { description: 'IPv4 (absent: none)', presence: 'optional' })
  ipv4?: IpConfigData;

  @ObjectField(() => IpConfigData, { description: 'IPv6 (absent: none)', presence: 'optional' })
  ipv6?: IpConfigData;

  @StringListField({
    description: 'Management only: up to 3 DNS servers',
    presence: 'optional',
    maxItems: 16,
    docMaxItems: 3,
    maxLength: MAX_TOKEN,
    example: ['192.0.2.53'],
  })
  dns?: string[];

  @TextField({
    description:
      'An interface of the host, of the same purpose, that this one takes the place of in the same change (the management interface on a PIF, which bears its name, moving onto the bridge)',
    presence: 'nullable',
    maxLength: MAX_TOKEN,
    docMaxLength: 15,
    example: 'eth0',
  })
  replaces?: string | null;
}

export class RemoveHostInterfaceData {
  @IdField({ description: 'The host id' })
  hostId!: string;

  @TextField({ description: 'The interface name', maxLength: MAX_TOKEN, example: 'stor0' })
  name!: string;
}
