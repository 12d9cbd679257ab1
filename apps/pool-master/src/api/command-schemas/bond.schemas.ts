import { BOND_MODES } from '@pool/domain';
import { EnumField, IdField, MAX_TOKEN, StringListField, TextField } from './fields.js';

export class CreateBondData {
  @IdField({ description: 'The bond id' })
  bondId!: string;

  @IdField({ description: 'The host whose NICs are bonded', example: 'host-a' })
  hostId!: string;

  @TextField({ description: 'The bond device (bond0…)', maxLength: MAX_TOKEN, example: 'bond0' })
  device!: string;

  @StringListField({
    description: 'At least two PIF devices of the host, in no other bond and carrying no VLAN',
    maxItems: 16,
    maxLength: MAX_TOKEN,
    example: ['eth1', 'eth2'],
  })
  members!: string[];

  @EnumField(BOND_MODES, { description: 'Bonding mode' })
  mode!: string;
}
