import { describe, expect, it } from 'vitest';
import type { AclMatch, Scope } from '../pool.types.js';
import { ADDRESS_SET_MAX_ENTRIES } from '../pool.types.js';
import { aclRuleCreated, cmd, ev, given, lab } from '../testing/pool.fixtures.js';

const lan: Scope = { kind: 'network', networkId: 'lan' };
const office = (cidrs: string[], name = 'office') =>
  ev('AddressSetCreated', { addressSetId: 'as1', name, cidrs });
const create = (cidrs: unknown[], data: { addressSetId?: string; name?: string } = {}) =>
  cmd('CreateAddressSet', {
    addressSetId: data.addressSetId ?? 'as1',
    name: data.name ?? 'office',
    cidrs: cidrs as string[],
  });
const update = (cidrs: unknown[]) =>
  cmd('UpdateAddressSet', { addressSetId: 'as1', cidrs: cidrs as string[] });

/** An ingress allow rule on `lan` at priority 10 with this match. */
const ruleCreated = (ruleId: string, match: Partial<AclMatch>) =>
  aclRuleCreated(ruleId, lan, match);

describe('CreateAddressSet', () => {
  it('stores canonical prefixes, bare addresses as hosts, IPv4 first, numerically, once', () => {
    given(lab)
      .when(
        create([
          '2001:DB8::1',
          '10.0.0.0/8',
          '192.0.2.7',
          '9.0.0.0/8',
          '10.0.0.0/8',
          '2001:db8::/32',
          '10.0.0.0/16',
        ]),
      )
      .then([
        office([
          '9.0.0.0/8',
          '10.0.0.0/8',
          '10.0.0.0/16',
          '192.0.2.7/32',
          '2001:db8::/32',
          '2001:db8::1/128',
        ]),
      ]);
  });

  it('creates an empty set', () => {
    given(lab)
      .when(create([]))
      .then([office([])]);
  });

  it.each([
    ['a prefix with host bits', ['10.1.2.3/8'], 'INVALID_CIDR'],
    ['a word', ['ten'], 'INVALID_CIDR'],
    ['a number', [10], 'INVALID_CIDR'],
    ['an IPv4-mapped address', ['::ffff:10.0.0.1'], 'IPV4_EMBEDDED_IPV6'],
    ['an IPv4-mapped prefix', ['::ffff:10.0.0.0/104'], 'IPV4_EMBEDDED_IPV6'],
    ['an IPv4-compatible address', ['::10.0.0.1'], 'IPV4_EMBEDDED_IPV6'],
    ['the loopback', ['::1'], 'IPV4_EMBEDDED_IPV6'],
  ])('refuses %s', (_, cidrs, code) => {
    given(lab).when(create(cidrs)).then(code);
  });

  it('names the bad entry, and suggests the prefix of host bits', () => {
    const error = given(lab)
      .when(create(['10.0.0.0/8', '10.1.2.3/8']))
      .then('INVALID_CIDR');
    expect(error.details).toEqual({ field: 'cidrs[1]', suggestion: '10.0.0.0/8' });
  });

  it('admits prefixes wider than the IPv4-embedding ranges', () => {
    given(lab)
      .when(create(['::/0', '::/64']))
      .then([office(['::/0', '::/64'])]);
  });

  it(`holds at most ${ADDRESS_SET_MAX_ENTRIES} entries`, () => {
    const many = Array.from(
      { length: ADDRESS_SET_MAX_ENTRIES + 1 },
      (_, i) => `10.0.${i >> 8}.${i & 255}`,
    );
    const error = given(lab).when(create(many)).then('ADDRESS_SET_TOO_LARGE');
    expect(error.details).toMatchObject({ max: ADDRESS_SET_MAX_ENTRIES, count: 257 });
    given(lab)
      .when(create(many.slice(1)))
      .then([expect.objectContaining({ type: 'AddressSetCreated' }) as never]);
  });

  it('refuses a list that is not one', () => {
    given(lab)
      .when(
        cmd('CreateAddressSet', { addressSetId: 'as1', name: 'x', cidrs: '10.0.0.0/8' as never }),
      )
      .then('INVALID_CIDR');
  });

  it('refuses a taken id, and a taken name in any case', () => {
    given([...lab, office([])])
      .when(create([], { name: 'other' }))
      .then('ADDRESS_SET_EXISTS');
    const error = given([...lab, office([])])
      .when(create([], { addressSetId: 'as2', name: ' OFFICE ' }))
      .then('ADDRESS_SET_NAME_IN_USE');
    expect(error.details).toEqual({ addressSetId: 'as1' });
  });

  it('may share a name with a network or a security group', () => {
    given([
      ...lab,
      ev('SecurityGroupCreated', { groupId: 'g', name: 'web', defaultPolicy: 'deny' }),
    ])
      .when(create([], { name: 'lan' }))
      .then([office([], 'lan')]);
    given([
      ...lab,
      ev('SecurityGroupCreated', { groupId: 'g', name: 'web', defaultPolicy: 'deny' }),
    ])
      .when(create([], { name: 'web' }))
      .then([office([], 'web')]);
  });
});

describe('UpdateAddressSet', () => {
  it('replaces the whole content', () => {
    given([...lab, office(['10.0.0.0/8'])])
      .when(update(['192.0.2.1', '192.0.2.0/24']))
      .then([
        ev('AddressSetUpdated', { addressSetId: 'as1', cidrs: ['192.0.2.0/24', '192.0.2.1/32'] }),
      ]);
  });

  it('changes nothing when the content is the same in other words', () => {
    given([...lab, office(['10.0.0.0/8', '192.0.2.1/32'])])
      .when(update(['192.0.2.1', '10.0.0.0/8', '10.0.0.0/8']))
      .then([]);
  });

  it('refuses an unknown set and bad content', () => {
    given(lab).when(update([])).then('ADDRESS_SET_NOT_FOUND');
    given([...lab, office([])])
      .when(update(['::ffff:1.2.3.4']))
      .then('IPV4_EMBEDDED_IPV6');
  });

  it('refuses content that would make a rule naming the set overlap another of its slot', () => {
    const rules = [
      ruleCreated('r-set', { protocol: 'tcp', addressSetId: 'as1' }),
      ruleCreated('r-cidr', { protocol: 'tcp', cidr: '192.0.2.0/24' }),
    ];
    const state = [...lab, office(['10.0.0.0/8']), ...rules];
    const error = given(state)
      .when(update(['10.0.0.0/8', '192.0.2.128/25']))
      .then('ACL_RULE_OVERLAP');
    expect(error.details).toEqual({
      ruleId: 'r-cidr',
      ruleIds: ['r-cidr', 'r-set'],
      priority: 10,
    });
    given(state)
      .when(update(['198.51.100.0/24']))
      .then([ev('AddressSetUpdated', { addressSetId: 'as1', cidrs: ['198.51.100.0/24'] })]);
  });

  it('re-checks two rules that both name the set: empty it overlapped nothing, filled it does', () => {
    const state = [
      ...lab,
      office([]),
      ruleCreated('r1', { protocol: 'tcp', addressSetId: 'as1' }),
      ruleCreated('r2', { protocol: 'any', addressSetId: 'as1' }),
    ];
    given(state)
      .when(update(['10.0.0.0/8']))
      .then('ACL_RULE_OVERLAP');
  });

  it('is not refused by rules of other slots or of other protocols', () => {
    given([
      ...lab,
      office(['10.0.0.0/8']),
      ruleCreated('r-set', { protocol: 'tcp', addressSetId: 'as1' }),
      ruleCreated('r-udp', { protocol: 'udp', cidr: '192.0.2.0/24' }),
      ev('AclRuleCreated', {
        ...ruleCreated('r-other', { protocol: 'tcp' }).data,
        priority: 11,
      }),
    ])
      .when(update(['192.0.2.0/24']))
      .then([ev('AddressSetUpdated', { addressSetId: 'as1', cidrs: ['192.0.2.0/24'] })]);
  });
});

describe('DeleteAddressSet', () => {
  it('deletes a set no rule names', () => {
    given([...lab, office(['10.0.0.0/8'])])
      .when(cmd('DeleteAddressSet', { addressSetId: 'as1' }))
      .then([ev('AddressSetDeleted', { addressSetId: 'as1' })]);
  });

  it('refuses while a rule names it, listing the rules', () => {
    const named = [...lab, office([]), ruleCreated('r1', { protocol: 'tcp', addressSetId: 'as1' })];
    const error = given(named)
      .when(cmd('DeleteAddressSet', { addressSetId: 'as1' }))
      .then('ADDRESS_SET_IN_USE');
    expect(error.details).toEqual({ addressSetId: 'as1', ruleCount: 1, ruleIds: ['r1'] });
    given([...named, ev('AclRuleDeleted', { ruleId: 'r1' })])
      .when(cmd('DeleteAddressSet', { addressSetId: 'as1' }))
      .then([ev('AddressSetDeleted', { addressSetId: 'as1' })]);
  });

  it('frees the name', () => {
    given([...lab, office([]), ev('AddressSetDeleted', { addressSetId: 'as1' })])
      .when(create([], { addressSetId: 'as2' }))
      .then([ev('AddressSetCreated', { addressSetId: 'as2', name: 'office', cidrs: [] })]);
  });

  it('refuses an unknown set', () => {
    given(lab)
      .when(cmd('DeleteAddressSet', { addressSetId: 'nope' }))
      .then('ADDRESS_SET_NOT_FOUND');
  });
});
