import { ACL_PROTOCOLS, ACL_REQUESTED_ACTIONS, ACL_REQUESTED_DIRECTIONS } from '@pool/domain';
import {
  BoolField,
  EnumField,
  IdField,
  IntField,
  MAX_TOKEN,
  ObjectField,
  TextField,
} from './fields.js';
import { ScopeField } from './scope.schemas.js';

export class AclMatchData {
  @EnumField(ACL_PROTOCOLS, { description: 'Protocol' })
  protocol!: string;

  @TextField({
    description:
      'The remote side as one prefix, host bits clear. At most one of cidr, addressSetId and ' +
      'remoteGroupId (INVALID_MATCH); none: any address',
    presence: 'nullable',
    maxLength: MAX_TOKEN,
    example: '10.0.0.0/8',
  })
  cidr?: string | null;

  @IdField({
    description:
      'The remote side as an address set: its prefixes, followed as the set changes (an empty ' +
      'set matches nothing)',
    presence: 'nullable',
  })
  addressSetId?: string | null;

  @IdField({
    description:
      'The remote side as a security group: every address of its member VIFs, pool-wide, ' +
      'followed as members come and go',
    presence: 'nullable',
  })
  remoteGroupId?: string | null;

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

  @ScopeField('What the rule applies to: a network, a VIF or each member of a group')
  scope!: object;

  @EnumField(ACL_REQUESTED_DIRECTIONS, {
    description:
      "Traffic direction, named from the VM's side: `from-vm` is what the VM sends, `to-vm` " +
      "what is delivered to it (OVN's from-lport / to-lport; Neutron's ingress is `to-vm`, its " +
      'egress `from-vm`). `ingress` and `egress` are refused (ACL_DIRECTION_RENAMED, naming the ' +
      'word to write): poolnet used them for the opposite of what Neutron means',
    example: 'to-vm',
  })
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

  @EnumField(ACL_REQUESTED_ACTIONS, {
    description:
      'What happens to a matching packet. `allow` is stateful: the replies of an allowed ' +
      'connection are admitted both ways. `reject` is refused (ACL_REJECT_UNSUPPORTED): no ' +
      'datapath here can answer with a TCP reset or ICMP unreachable; use `drop`',
  })
  action!: string;

  @BoolField({
    description:
      "Allow rules only: the allowed packets are not tracked (OVN's allow-stateless), so " +
      'their replies need a rule of their own. Absent: false',
    presence: 'optional',
    default: false,
  })
  stateless?: boolean;
}
