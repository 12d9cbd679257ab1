import { describe, expect, it } from 'vitest';
import type { Scope } from '../pool.types.js';
import { aclRuleCreated, cmd, ev, given, lab, vifCreated } from '../testing/pool.fixtures.js';

const web: Scope = { kind: 'group', groupId: 'sg1' };
const created = (defaultPolicy: 'allow' | 'deny' = 'deny') =>
  ev('SecurityGroupCreated', { groupId: 'sg1', name: 'web', defaultPolicy });
const added = (vifId: string, groupId = 'sg1') =>
  ev('SecurityGroupMemberAdded', { groupId, vifId });
const removed = (vifId: string, groupId = 'sg1') =>
  ev('SecurityGroupMemberRemoved', { groupId, vifId });
const vifs = [
  vifCreated('vif1', 'vm1', 'lan', { ipv4: '10.0.0.1' }),
  vifCreated('vif2', 'vm1', 'lan', { device: 1, ipv4: '10.0.0.2' }),
];
const base = [...lab, ...vifs, created()];

describe('CreateSecurityGroup', () => {
  it('denies by default, as security groups do', () => {
    given(lab)
      .when(cmd('CreateSecurityGroup', { groupId: 'sg1', name: ' web ' }))
      .then([created('deny')]);
  });

  it('takes an allow policy', () => {
    given(lab)
      .when(cmd('CreateSecurityGroup', { groupId: 'sg1', name: 'web', defaultPolicy: 'allow' }))
      .then([created('allow')]);
  });

  it('refuses an unknown policy, a bad name, a taken id and a taken name in any case', () => {
    given(lab)
      .when(
        cmd('CreateSecurityGroup', {
          groupId: 'sg1',
          name: 'web',
          defaultPolicy: 'reject' as never,
        }),
      )
      .then('INVALID_OPTION');
    given(lab)
      .when(cmd('CreateSecurityGroup', { groupId: 'sg1', name: '' }))
      .then('INVALID_NAME');
    given(lab)
      .when(cmd('CreateSecurityGroup', { groupId: 'a/b', name: 'x' }))
      .then('INVALID_ID');
    given(base)
      .when(cmd('CreateSecurityGroup', { groupId: 'sg1', name: 'other' }))
      .then('SECURITY_GROUP_EXISTS');
    const error = given(base)
      .when(cmd('CreateSecurityGroup', { groupId: 'sg2', name: 'WEB' }))
      .then('SECURITY_GROUP_NAME_IN_USE');
    expect(error.details).toEqual({ groupId: 'sg1' });
  });
});

describe('SetSecurityGroupPolicy', () => {
  it('changes the policy, and changes nothing when it is the same', () => {
    given(base)
      .when(cmd('SetSecurityGroupPolicy', { groupId: 'sg1', defaultPolicy: 'allow' }))
      .then([ev('SecurityGroupPolicyChanged', { groupId: 'sg1', defaultPolicy: 'allow' })]);
    given(base)
      .when(cmd('SetSecurityGroupPolicy', { groupId: 'sg1', defaultPolicy: 'deny' }))
      .then([]);
  });

  it('refuses an unknown group or policy', () => {
    given(lab)
      .when(cmd('SetSecurityGroupPolicy', { groupId: 'sg1', defaultPolicy: 'deny' }))
      .then('SECURITY_GROUP_NOT_FOUND');
    given(base)
      .when(cmd('SetSecurityGroupPolicy', { groupId: 'sg1', defaultPolicy: 'maybe' as never }))
      .then('INVALID_OPTION');
  });
});

describe('AddSecurityGroupMember and RemoveSecurityGroupMember', () => {
  it('adds a VIF of any network, and keeps the members sorted', () => {
    given([...base, vifCreated('vif0', 'vm1', 'priv', { device: 2 }), added('vif2')])
      .when(cmd('AddSecurityGroupMember', { groupId: 'sg1', vifId: 'vif0' }))
      .then([added('vif0')]);
  });

  it('lets a VIF be in several groups', () => {
    const other = ev('SecurityGroupCreated', {
      groupId: 'sg2',
      name: 'db',
      defaultPolicy: 'allow',
    });
    given([...base, other, added('vif1')])
      .when(cmd('AddSecurityGroupMember', { groupId: 'sg2', vifId: 'vif1' }))
      .then([added('vif1', 'sg2')]);
  });

  it('refuses a member twice, an unknown VIF and an unknown group', () => {
    given([...base, added('vif1')])
      .when(cmd('AddSecurityGroupMember', { groupId: 'sg1', vifId: 'vif1' }))
      .then('SECURITY_GROUP_MEMBER_EXISTS');
    given(base)
      .when(cmd('AddSecurityGroupMember', { groupId: 'sg1', vifId: 'vif9' }))
      .then('VIF_NOT_FOUND');
    given(base)
      .when(cmd('AddSecurityGroupMember', { groupId: 'sg9', vifId: 'vif1' }))
      .then('SECURITY_GROUP_NOT_FOUND');
  });

  it('refuses the destination of a mirror of the group: it would mirror its own copies', () => {
    const mirror = ev('MirrorCreated', {
      mirrorId: 'm1',
      source: web,
      direction: 'both',
      destinationVifId: 'vif2',
    });
    const error = given([...base, added('vif1'), mirror])
      .when(cmd('AddSecurityGroupMember', { groupId: 'sg1', vifId: 'vif2' }))
      .then('MIRROR_LOOP');
    expect(error.details).toEqual({ destinationVifId: 'vif2', mirrorId: 'm1' });
  });

  it('removes a member, and refuses one that is not', () => {
    given([...base, added('vif1')])
      .when(cmd('RemoveSecurityGroupMember', { groupId: 'sg1', vifId: 'vif1' }))
      .then([removed('vif1')]);
    given(base)
      .when(cmd('RemoveSecurityGroupMember', { groupId: 'sg1', vifId: 'vif1' }))
      .then('SECURITY_GROUP_MEMBER_NOT_FOUND');
    given([...base, added('vif1'), removed('vif1')])
      .when(cmd('RemoveSecurityGroupMember', { groupId: 'sg1', vifId: 'vif1' }))
      .then('SECURITY_GROUP_MEMBER_NOT_FOUND');
  });
});

describe('CreateMirror on a group', () => {
  it('watches a group, but not into one of its members', () => {
    const mirror = {
      mirrorId: 'm1',
      source: web,
      direction: 'both',
      destinationVifId: 'vif2',
    } as const;
    given(base)
      .when(cmd('CreateMirror', mirror))
      .then([ev('MirrorCreated', mirror)]);
    given([...base, added('vif2')])
      .when(cmd('CreateMirror', mirror))
      .then('MIRROR_LOOP');
  });
});

describe('DeleteSecurityGroup', () => {
  it('deletes its rules, the mirrors watching it and each membership, then itself', () => {
    given([
      ...base,
      added('vif1'),
      added('vif2'),
      aclRuleCreated('r1', web, { remoteGroupId: 'sg1' }),
      aclRuleCreated('r2', { kind: 'vif', vifId: 'vif1' }),
      vifCreated('tap', 'vm1', 'priv', { device: 2 }),
      ev('MirrorCreated', {
        mirrorId: 'm1',
        source: web,
        direction: 'both',
        destinationVifId: 'tap',
      }),
    ])
      .when(cmd('DeleteSecurityGroup', { groupId: 'sg1' }))
      .then([
        ev('AclRuleDeleted', { ruleId: 'r1' }),
        ev('MirrorDeleted', { mirrorId: 'm1' }),
        removed('vif1'),
        removed('vif2'),
        ev('SecurityGroupDeleted', { groupId: 'sg1' }),
      ]);
  });

  it('is refused while a rule elsewhere names it as remote', () => {
    const state = [
      ...base,
      aclRuleCreated('r1', { kind: 'network', networkId: 'lan' }, { remoteGroupId: 'sg1' }),
    ];
    const error = given(state)
      .when(cmd('DeleteSecurityGroup', { groupId: 'sg1' }))
      .then('SECURITY_GROUP_IN_USE');
    expect(error.details).toEqual({ groupId: 'sg1', ruleCount: 1, ruleIds: ['r1'] });
    given([...state, ev('AclRuleDeleted', { ruleId: 'r1' })])
      .when(cmd('DeleteSecurityGroup', { groupId: 'sg1' }))
      .then([ev('SecurityGroupDeleted', { groupId: 'sg1' })]);
  });

  it('frees the name, and refuses an unknown group', () => {
    given([...base, ev('SecurityGroupDeleted', { groupId: 'sg1' })])
      .when(cmd('CreateSecurityGroup', { groupId: 'sg2', name: 'web' }))
      .then([ev('SecurityGroupCreated', { groupId: 'sg2', name: 'web', defaultPolicy: 'deny' })]);
    given(lab)
      .when(cmd('DeleteSecurityGroup', { groupId: 'sg1' }))
      .then('SECURITY_GROUP_NOT_FOUND');
  });
});

describe('destroying a member VIF', () => {
  const other = ev('SecurityGroupCreated', { groupId: 'sg0', name: 'db', defaultPolicy: 'allow' });
  const member = [...base, other, added('vif1'), added('vif1', 'sg0'), added('vif2')];

  it('removes it from each of its groups (in id order) before VifDestroyed', () => {
    const events = given(member)
      .when(cmd('DestroyVif', { vifId: 'vif1' }))
      .then([
        removed('vif1', 'sg0'),
        removed('vif1'),
        expect.objectContaining({ type: 'VifDestroyed' }) as never,
      ]);
    expect(events).toHaveLength(3);
  });

  it('does so for every VIF of a destroyed VM', () => {
    given(member)
      .when(cmd('DestroyVm', { vmId: 'vm1' }))
      .then([
        removed('vif1', 'sg0'),
        removed('vif1'),
        expect.objectContaining({
          type: 'VifDestroyed',
          data: expect.objectContaining({ vifId: 'vif1' }),
        }) as never,
        removed('vif2'),
        expect.objectContaining({
          type: 'VifDestroyed',
          data: expect.objectContaining({ vifId: 'vif2' }),
        }) as never,
        ev('VmDestroyed', { vmId: 'vm1' }),
      ]);
  });
});
