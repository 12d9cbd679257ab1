import { BoolField, IdField, IntField, MAX_TOKEN, ObjectField, TextField } from './fields.js';

const KBIT = { minimum: 0, maximum: 0xffffffff };

/** Rates in kbit/s, bursts in kbit; 0 means unlimited. */
export class QosData {
  @IntField({ description: 'Ingress rate, kbit/s (0: unlimited)', ...KBIT, example: 100_000 })
  ingressKbps!: number;

  @IntField({ description: 'Ingress burst, kbit', ...KBIT, example: 10_000 })
  ingressBurstKb!: number;

  @IntField({ description: 'Egress rate, kbit/s (0: unlimited)', ...KBIT, example: 100_000 })
  egressKbps!: number;

  @IntField({ description: 'Egress burst, kbit', ...KBIT, example: 10_000 })
  egressBurstKb!: number;
}

class VifAddressing {
  @TextField({
    description: 'IPv4 address, unique on the network; null clears it',
    presence: 'nullable',
    maxLength: MAX_TOKEN,
    example: '192.0.2.10',
  })
  ipv4?: string | null;

  @TextField({
    description: 'IPv6 address, unique on the network; null clears it',
    presence: 'nullable',
    maxLength: MAX_TOKEN,
    example: '2001:db8::10',
  })
  ipv6?: string | null;

  @ObjectField(() => QosData, {
    description: 'Rate limits; null removes them',
    presence: 'nullable',
  })
  qos?: QosData | null;

  @BoolField({
    description: 'Only the VIF own MAC and IPs may send',
    presence: 'optional',
    default: false,
  })
  portSecurity?: boolean;
}

export class CreateVifData extends VifAddressing {
  @IdField({ description: 'The VIF id' })
  vifId!: string;

  @IdField({ description: 'The VM the VIF belongs to' })
  vmId!: string;

  @IntField({
    description: "Device index 0–15, unique per VM; absent: the VM's lowest free index",
    presence: 'optional',
    minimum: 0,
    maximum: 15,
    example: 0,
  })
  device?: number;

  @IdField({ description: 'The network the VIF plugs into' })
  networkId!: string;

  @TextField({
    description: 'Unicast MAC unique in the pool; absent or null: the pool generates one',
    presence: 'nullable',
    maxLength: MAX_TOKEN,
    example: '02:00:00:00:00:01',
  })
  mac?: string | null;
}

/** A missing field keeps its value. */
export class UpdateVifData extends VifAddressing {
  @IdField({ description: 'The VIF id' })
  vifId!: string;
}
