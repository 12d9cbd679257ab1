import { PIF_ROLES } from '@pool/domain';
import {
  BoolField,
  EnumField,
  IdField,
  IntField,
  MAX_TEXT,
  MAX_TOKEN,
  NameField,
  ObjectListField,
  TextField,
} from './fields.js';

/** The most NICs a host may report; real hosts have a handful, big ones a few dozen. */
const MAX_PIFS = 256;

export class PifInventoryData {
  @TextField({
    description: 'Interface name (eth0…), 1–15 characters',
    maxLength: MAX_TOKEN,
    docMaxLength: 15,
    example: 'eth0',
  })
  device!: string;

  @TextField({
    description: 'The NIC MAC address',
    maxLength: MAX_TOKEN,
    example: '52:54:00:12:34:56',
  })
  mac!: string;

  @IntField({ description: 'MTU, 68–9216', minimum: 68, maximum: 9216, example: 1500 })
  mtu!: number;

  @IntField({
    description: 'Link speed in Mbit/s',
    minimum: 0,
    maximum: 10_000_000,
    example: 10_000,
  })
  speedMbps!: number;

  @BoolField({ description: 'Whether the link is up', example: true })
  carrier!: boolean;
}

export class JoinHostData {
  @IdField({ description: 'The host id', example: 'host-a' })
  hostId!: string;

  @NameField({ description: 'A name of 1–64 printable characters', example: 'host-a' })
  name!: string;

  @TextField({
    description: 'How the master reaches the host (address or DNS name)',
    maxLength: MAX_TEXT,
    docMaxLength: 255,
    example: '192.0.2.11',
  })
  address!: string;

  @ObjectListField(() => PifInventoryData, {
    description: 'The host NICs (at least one)',
    maxItems: MAX_PIFS,
  })
  pifs!: PifInventoryData[];

  @TextField({
    description: 'The device of the management PIF; it must be in `pifs`',
    maxLength: MAX_TOKEN,
    example: 'eth0',
  })
  managementDevice!: string;
}

export class SetPifRoleData {
  @IdField({ description: 'The host id' })
  hostId!: string;

  @TextField({ description: 'The PIF device', maxLength: MAX_TOKEN, example: 'eth1' })
  device!: string;

  @EnumField(PIF_ROLES, { description: 'The traffic the PIF carries' })
  role!: string;
}

export class SetPifMtuData {
  @IdField({ description: 'The host id' })
  hostId!: string;

  @TextField({ description: 'The PIF device', maxLength: MAX_TOKEN, example: 'eth1' })
  device!: string;

  @IntField({ description: 'MTU, 68–9216', minimum: 68, maximum: 9216, example: 9000 })
  mtu!: number;
}

/** Where the host's overlay tunnels start and end; `address: null` clears it. */
export class SetTunnelEndpointData {
  @IdField({ description: 'The host id' })
  hostId!: string;

  @TextField({
    description: 'The PIF (role management, storage or tunnel) that carries the underlay',
    presence: 'nullable',
    maxLength: MAX_TOKEN,
    example: 'eth1',
  })
  device!: string | null;

  @TextField({
    description: "The host's underlay address on that PIF (IPv4 or IPv6), unique in the pool",
    presence: 'nullable',
    maxLength: MAX_TOKEN,
    example: '192.0.2.11',
  })
  address!: string | null;
}
