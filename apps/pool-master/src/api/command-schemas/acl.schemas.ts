import { ACL_ACTIONS, ACL_DIRECTIONS, ACL_PROTOCOLS } from '@pool/domain';
import { EnumField, IdField, IntField, MAX_TOKEN, ObjectField, TextField } from './fields.js';
import { ScopeField } from './scope.schemas.js';

export class AclMatchData {
  @EnumField(ACL_PROTOCOLS, { description: 'Protocol' })
  protocol!: string;

  @TextField({
    description: 'Prefix with host bits clear; absent or null: any address',
    presence: 'nullable',
    maxLength: MAX_TOKEN,
    example: '10.0.0.0/8',
  })
  cidr?: string | null;

  @IntField({
    description: 'First port (tcp/udp only); alone, a single port',
    presence: 'nullable',
    minimum: 0,
    maximum: 65535,
    example: 443,
  })
  portFrom?: number | null;

  @IntField({
    description: 'Last port (tcp/udp only), needs portFrom',
    presence: 'nullable',
    minimum: 0,
    maximum: 65535,
  })
  portTo?: number | null;
}

export class CreateAclRuleData {
  @IdField({ description: 'The rule id' })
  ruleId!: string;

  @ScopeField('What the rule applies to')
  scope!: object;

  @EnumField(ACL_DIRECTIONS, { description: 'Traffic direction, seen from the port' })
  direction!: string;

  @IntField({
    description:
      'Priority 0–32767; rules with the same scope, direction and priority must not overlap',
    minimum: 0,
    maximum: 32767,
    example: 1000,
  })
  priority!: number;

  @ObjectField(() => AclMatchData, { description: 'What packets the rule matches' })
  match!: AclMatchData;

  @EnumField(ACL_ACTIONS, { description: 'What happens to a matching packet' })
  action!: string;
}
