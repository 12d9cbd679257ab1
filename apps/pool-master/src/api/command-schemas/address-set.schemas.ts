import { ADDRESS_SET_MAX_ENTRIES } from '@pool/domain';
import { IdField, MAX_TOKEN, NameField, StringListField } from './fields.js';

/** The CIDRs of a set; the decider canonicalises them and refuses a set over its bound. */
const CidrsField = (description: string): PropertyDecorator =>
  StringListField({
    description:
      `${description}: prefixes (host bits clear) or bare addresses, IPv4 or IPv6, at most ` +
      `${ADDRESS_SET_MAX_ENTRIES} (ADDRESS_SET_TOO_LARGE); kept unique and sorted, IPv4 first; ` +
      'may be empty (matches nothing)',
    // Room for duplicates the decider folds; past it the payload is refused unread.
    maxItems: ADDRESS_SET_MAX_ENTRIES * 4,
    docMaxItems: ADDRESS_SET_MAX_ENTRIES,
    maxLength: MAX_TOKEN,
    example: ['10.0.0.0/8', '192.0.2.7', '2001:db8::/32'],
  });

export class CreateAddressSetData {
  @IdField({ description: 'The address set id' })
  addressSetId!: string;

  @NameField({
    description: 'A name unique among address sets (any case), 1–64 printable characters',
    example: 'office-ranges',
  })
  name!: string;

  @CidrsField('Its addresses')
  cidrs!: string[];
}

export class UpdateAddressSetData {
  @IdField({ description: 'The address set id' })
  addressSetId!: string;

  @CidrsField('Its whole new content; rules naming the set follow it on every host')
  cidrs!: string[];
}
