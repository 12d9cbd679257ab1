import { ACL_DEFAULT_POLICIES } from '@pool/domain';
import { EnumField, IdField, NameField } from './fields.js';

const POLICY =
  'What a member does with IP traffic no rule allows: `deny` drops it (replies to allowed ' +
  'connections, DHCP and IPv6 neighbour discovery still pass), `allow` passes it; a port is ' +
  'deny when its network or any of its groups is';

export class CreateSecurityGroupData {
  @IdField({ description: 'The security group id' })
  groupId!: string;

  @NameField({
    description: 'A name unique among security groups (any case), 1–64 printable characters',
    example: 'web',
  })
  name!: string;

  @EnumField(ACL_DEFAULT_POLICIES, { description: POLICY, presence: 'optional', default: 'deny' })
  defaultPolicy?: string;
}

export class SetSecurityGroupPolicyData {
  @IdField({ description: 'The security group id' })
  groupId!: string;

  @EnumField(ACL_DEFAULT_POLICIES, { description: POLICY })
  defaultPolicy!: string;
}

export class AddSecurityGroupMemberData {
  @IdField({ description: 'The security group id' })
  groupId!: string;

  @IdField({ description: 'The VIF, on any network and host of the pool' })
  vifId!: string;
}

export class RemoveSecurityGroupMemberData extends AddSecurityGroupMemberData {}
