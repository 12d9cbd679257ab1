import { VIF_MAX_ADDRESS_PAIRS, VIF_MAX_EXTRA_IPS } from '@pool/domain';
import {
  BoolField,
  IdField,
  IntField,
  MAX_TOKEN,
  ObjectField,
  ObjectListField,
  StringListField,
  TextField,
} from './fields.js';

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

/** A VIP the VIF may send from without owning it (VRRP, keepalived): shared, not unique. */
export class AddressPairData {
  @TextField({
    description: 'The virtual IP, IPv4 or IPv6',
    maxLength: MAX_TOKEN,
    example: '192.0.2.100',
  })
  ip!: string;

  @TextField({
    description: "The MAC it is sent from (keepalived use_vmac); absent or null: the VIF's own",
    presence: 'nullable',
    maxLength: MAX_TOKEN,
    example: '00:00:5e:00:01:01',
  })
  mac?: string | null;
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

  @StringListField({
    description:
      'Further addresses of the VIF, either family, unique on the network like ipv4 and ipv6 ' +
      '(IPv4-mapped or -compatible IPv6 refused); a list replaces the current one',
    presence: 'optional',
    maxItems: VIF_MAX_EXTRA_IPS,
    maxLength: MAX_TOKEN,
    example: ['192.0.2.11', '2001:db8::11'],
  })
  extraIps?: string[];

  @ObjectListField(() => AddressPairData, {
    description:
      'Allowed address pairs: VIPs the VIF may also send from, shared among VIFs (not unique); ' +
      'a list replaces the current one',
    presence: 'optional',
    maxItems: VIF_MAX_ADDRESS_PAIRS,
  })
  allowedPairs?: AddressPairData[];

  @ObjectField(() => QosData, {
    description: 'Rate limits; null removes them',
    presence: 'nullable',
  })
  qos?: QosData | null;

  @BoolField({
    description:
      'Only the VIF own MAC and addresses (and its pairs) may send; a family it lists no address ' +
      'of is blocked; no RA, redirect or DHCP server reply',
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
