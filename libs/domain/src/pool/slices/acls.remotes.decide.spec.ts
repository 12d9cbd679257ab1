import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AclMatchSpec, CreateAclRule } from '../pool.commands.js';
import type { AclMatch } from '../pool.types.js';
import { cmd, ev, given, lab, vifCreated } from '../testing/pool.fixtures.js';
import { matchesOverlap } from './acl-match.js';

/* ACL rules on security groups, and remotes that are address sets or security groups. */

const lan = { kind: 'network', networkId: 'lan' } as const;
const web = { kind: 'group', groupId: 'sg1' } as const;
const sets = [
  ev('AddressSetCreated', { addressSetId: 'office', name: 'office', cidrs: ['10.1.0.0/16'] }),
  ev('AddressSetCreated', { addressSetId: 'empty', name: 'empty', cidrs: [] }),
];
const base = [
  ...lab,
  vifCreated('vif1', 'vm1', 'lan'),
  ev('SecurityGroupCreated', { groupId: 'sg1', name: 'web', defaultPolicy: 'deny' }),
  ...sets,
];
const noRemote = { cidr: null, addressSetId: null, remoteGroupId: null };

const rule = (match: AclMatchSpec, data: Partial<CreateAclRule['data']> = {}) =>
  cmd('CreateAclRule', {
    ruleId: 'r1',
    scope: lan,
    direction: 'from-vm',
    priority: 100,
    match,
    action: 'allow',
    ...data,
  });
const created = (match: Partial<AclMatch>, data: Partial<CreateAclRule['data']> = {}) => {
  const { ruleId, scope, direction, priority } = rule({ protocol: 'any' }, data).data;
  return ev('AclRuleCreated', {
    ruleId,
    scope,
    direction,
    priority,
    match: { protocol: 'any', ...noRemote, portFrom: null, portTo: null, ...match },
    action: 'allow',
    stateless: false,
  });
};

describe('CreateAclRule with groups and address sets', () => {
  it('scopes a rule to a security group', () => {
    given(base)
      .when(rule({ protocol: 'any' }, { scope: web }))
      .then([created({}, { scope: web })]);
  });

  it('takes an address set or a security group (the rule’s own among them) as remote', () => {
    given(base)
      .when(rule({ protocol: 'tcp', addressSetId: 'office', portFrom: 22 }))
      .then([created({ protocol: 'tcp', addressSetId: 'office', portFrom: 22, portTo: 22 })]);
    given(base)
      .when(rule({ protocol: 'any', remoteGroupId: 'sg1' }, { scope: web }))
      .then([created({ remoteGroupId: 'sg1' }, { scope: web })]);
  });

  it('takes null remotes as absent', () => {
    given(base)
      .when(rule({ protocol: 'any', cidr: null, addressSetId: null, remoteGroupId: 'sg1' }))
      .then([created({ remoteGroupId: 'sg1' })]);
  });

  it.each<[string, AclMatchSpec, string]>([
    [
      'a CIDR and a set',
      { protocol: 'any', cidr: '10.0.0.0/8', addressSetId: 'office' },
      'INVALID_MATCH',
    ],
    [
      'a set and a group',
      { protocol: 'any', addressSetId: 'office', remoteGroupId: 'sg1' },
      'INVALID_MATCH',
    ],
    ['an unknown set', { protocol: 'any', addressSetId: 'nope' }, 'ADDRESS_SET_NOT_FOUND'],
    ['an unknown group', { protocol: 'any', remoteGroupId: 'nope' }, 'SECURITY_GROUP_NOT_FOUND'],
  ])('refuses %s', (_, match, code) => {
    given(base).when(rule(match)).then(code);
  });

  it('names the fields of a match with two remotes', () => {
    const error = given(base)
      .when(rule({ protocol: 'any', cidr: '10.0.0.0/8', remoteGroupId: 'sg1' }))
      .then('INVALID_MATCH');
    expect(error.details).toEqual({ fields: ['match.cidr', 'match.remoteGroupId'] });
  });

  it('refuses an unknown group as scope', () => {
    given(base)
      .when(rule({ protocol: 'any' }, { scope: { kind: 'group', groupId: 'nope' } }))
      .then('SECURITY_GROUP_NOT_FOUND');
  });

  const taken = (match: Partial<AclMatch>) => created(match, { ruleId: 'r0' });
  it.each<[string, Partial<AclMatch>, AclMatchSpec]>([
    [
      'a set and a CIDR inside it',
      { addressSetId: 'office' },
      { protocol: 'any', cidr: '10.1.2.0/24' },
    ],
    ['a set and any remote', { addressSetId: 'office' }, { protocol: 'tcp' }],
    ['a set and itself', { addressSetId: 'office' }, { protocol: 'any', addressSetId: 'office' }],
    [
      'a group and a disjoint CIDR',
      { remoteGroupId: 'sg1' },
      { protocol: 'any', cidr: '192.0.2.0/24' },
    ],
    ['a group and a set', { remoteGroupId: 'sg1' }, { protocol: 'any', addressSetId: 'office' }],
  ])('refuses an overlap at one priority: %s', (_, existing, match) => {
    const error = given([...base, taken(existing)])
      .when(rule(match))
      .then('ACL_RULE_OVERLAP');
    expect(error.details).toEqual({ ruleId: 'r0', priority: 100 });
  });

  it.each<[string, Partial<AclMatch>, AclMatchSpec]>([
    [
      'a set and a CIDR outside it',
      { addressSetId: 'office' },
      { protocol: 'any', cidr: '10.2.0.0/16' },
    ],
    ['an empty set and any remote', { addressSetId: 'empty' }, { protocol: 'any' }],
    [
      'an empty set and a group',
      { addressSetId: 'empty' },
      { protocol: 'any', remoteGroupId: 'sg1' },
    ],
    [
      'a group and another protocol',
      { protocol: 'udp', remoteGroupId: 'sg1' },
      { protocol: 'tcp' },
    ],
  ])('admits at one priority: %s', (_, existing, match) => {
    given([...base, taken(existing)])
      .when(rule(match))
      .then([expect.objectContaining({ type: 'AclRuleCreated' }) as never]);
  });
});

describe('matchesOverlap over address sets and groups', () => {
  const contents: Record<string, string[]> = {
    a: ['10.0.0.0/8', '2001:db8::/32'],
    b: ['10.1.0.0/16'],
    c: ['192.0.2.0/24'],
    none: [],
  };
  const setCidrs = (id: string) => contents[id] ?? [];
  const remote = fc.oneof(
    fc.constant(noRemote),
    fc
      .constantFrom('10.0.0.0/8', '10.1.2.0/24', '192.0.2.0/24', '2001:db8::/48', '0.0.0.0/0')
      .map((cidr) => ({ ...noRemote, cidr })),
    fc.constantFrom('a', 'b', 'c', 'none').map((addressSetId) => ({ ...noRemote, addressSetId })),
    fc.constant({ ...noRemote, remoteGroupId: 'g' }),
  );
  const match = fc
    .record({ protocol: fc.constantFrom('any', 'tcp', 'udp', 'icmp'), remote })
    .map(({ protocol, remote: r }): AclMatch => ({ protocol, ...r, portFrom: null, portTo: null }));

  /** What the remote matches when the group's members hold every address: its CIDRs. */
  const cover = (m: AclMatch): string[] | 'any' =>
    m.addressSetId !== null ? setCidrs(m.addressSetId) : m.cidr !== null ? [m.cidr] : 'any';

  it('is symmetric; a set overlaps as its CIDRs would; an empty set overlaps nothing', () => {
    fc.assert(
      fc.property(match, match, (a, b) => {
        const overlap = matchesOverlap(a, b, setCidrs);
        expect(overlap).toBe(matchesOverlap(b, a, setCidrs));
        const [x, y] = [cover(a), cover(b)];
        if (x !== 'any' && x.length === 0) expect(overlap).toBe(false);
        if (x !== 'any' && y !== 'any' && x.length > 0 && y.length > 0) {
          const pairwise = x.some((p) =>
            y.some((q) =>
              matchesOverlap(
                { ...a, ...noRemote, cidr: p },
                { ...b, ...noRemote, cidr: q },
                setCidrs,
              ),
            ),
          );
          expect(overlap).toBe(pairwise);
        }
      }),
    );
  });
});
