import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AclMatchSpec, CreateAclRule } from '../pool.commands.js';
import { replayPool } from '../pool.decider.js';
import { cmd, ev, given, lab, vifCreated } from '../testing/pool.fixtures.js';
import type { AclMatch } from '../pool.types.js';
import { matchesOverlap, requireMatch } from './acl-match.js';

const lan = { kind: 'network', networkId: 'lan' } as const;
const base = [...lab, vifCreated('vif1', 'vm1', 'lan')];
const rule = (data: Partial<CreateAclRule['data']> = {}) =>
  cmd('CreateAclRule', {
    ruleId: 'r1',
    scope: lan,
    direction: 'from-vm',
    priority: 100,
    match: { protocol: 'tcp', cidr: '10.0.0.0/8', portFrom: 80, portTo: 443 },
    action: 'allow',
    ...data,
  });
/** The event of `rule(data)`, its match completed with no address set or remote group. */
const created = (data: Partial<CreateAclRule['data']> = {}) => {
  const { ruleId, scope, direction, priority, match, action, stateless } = rule(data).data;
  return ev('AclRuleCreated', {
    ruleId,
    scope,
    direction,
    priority,
    action: action === 'reject' ? 'drop' : action,
    match: { addressSetId: null, remoteGroupId: null, ...match } as AclMatch,
    stateless: stateless ?? false,
  });
};
const existing = created({
  ruleId: 'r0',
  match: { protocol: 'tcp', cidr: '10.0.0.0/8', portFrom: 80, portTo: 443 },
});

describe('CreateAclRule', () => {
  it('creates a rule on a network, with a canonical match', () => {
    given(base)
      .when(rule({ match: { protocol: 'udp', cidr: '2001:DB8::/32', portFrom: 53 } }))
      .then([
        created({ match: { protocol: 'udp', cidr: '2001:db8::/32', portFrom: 53, portTo: 53 } }),
      ]);
  });

  it('creates a rule on a VIF, matching everything', () => {
    given(base)
      .when(
        rule({
          scope: { kind: 'vif', vifId: 'vif1' },
          match: { protocol: 'any' },
          action: 'drop',
        }),
      )
      .then([
        created({
          scope: { kind: 'vif', vifId: 'vif1' },
          action: 'drop',
          match: { protocol: 'any', cidr: null, portFrom: null, portTo: null },
        }),
      ]);
  });

  it('creates a stateless allow rule (OVN allow-stateless)', () => {
    given(base)
      .when(rule({ stateless: true }))
      .then([created({ stateless: true })]);
  });

  it('refuses reject with its own code, naming drop as what it can do', () => {
    const error = given(base)
      .when(rule({ action: 'reject' }))
      .then('ACL_REJECT_UNSUPPORTED');
    expect(error.message).toMatch(/TCP reset.*use action drop/);
    expect(error.details).toEqual({ action: 'reject', use: 'drop' });
  });

  it.each([
    [
      'ingress',
      'from-vm',
      "direction 'ingress' meant traffic from the VM: write 'from-vm' (Neutron's ingress is 'to-vm')",
    ],
    [
      'egress',
      'to-vm',
      "direction 'egress' meant traffic to the VM: write 'to-vm' (Neutron's egress is 'from-vm')",
    ],
  ])('refuses the old direction %s, stating its mapping to %s', (old, use, message) => {
    const error = given(base)
      .when(rule({ direction: old as never }))
      .then('ACL_DIRECTION_RENAMED');
    expect(error.message).toBe(message);
    expect(error.kind).toBe('invalid');
    expect(error.details).toEqual({ direction: old, use });
  });

  it('refuses stateless on a drop, and a stateless that is not a boolean', () => {
    given(base)
      .when(rule({ action: 'drop', stateless: true }))
      .then('INVALID_OPTION');
    given(base)
      .when(rule({ stateless: 'yes' as never }))
      .then('INVALID_OPTION');
  });

  it.each([
    ['an unknown network', { scope: { kind: 'network', networkId: 'x' } }, 'NETWORK_NOT_FOUND'],
    ['an unknown VIF', { scope: { kind: 'vif', vifId: 'x' } }, 'VIF_NOT_FOUND'],
    ['an unknown scope kind', { scope: { kind: 'host' } as never }, 'INVALID_OPTION'],
    ['an unknown direction', { direction: 'both' as never }, 'INVALID_OPTION'],
    ['an unknown action', { action: 'log' as never }, 'INVALID_OPTION'],
    ['priority -1', { priority: -1 }, 'INVALID_PRIORITY'],
    ['priority 32768', { priority: 32768 }, 'INVALID_PRIORITY'],
  ] as const)('refuses %s', (_, data, code) => {
    given(base).when(rule(data)).then(code);
  });

  it('refuses an id in use', () => {
    given([...base, existing])
      .when(rule({ ruleId: 'r0', priority: 1 }))
      .then('ACL_RULE_EXISTS');
  });

  it.each<[AclMatchSpec, string]>([
    [{ protocol: 'sctp' as never }, 'INVALID_OPTION'],
    [{ protocol: 'any', cidr: '10.0.0.0/33' }, 'INVALID_CIDR'],
    [{ protocol: 'any', cidr: 'ten' }, 'INVALID_CIDR'],
    [{ protocol: 'icmp', portFrom: 1 }, 'INVALID_PORT_RANGE'],
    [{ protocol: 'any', portFrom: 1 }, 'INVALID_PORT_RANGE'],
    [{ protocol: 'tcp', portTo: 80 }, 'INVALID_PORT_RANGE'],
    [{ protocol: 'tcp', portFrom: 443, portTo: 80 }, 'INVALID_PORT_RANGE'],
    [{ protocol: 'tcp', portFrom: 65536 }, 'INVALID_PORT_RANGE'],
  ])('refuses the match %j', (match, code) => {
    given(base).when(rule({ match })).then(code);
  });

  it('refuses a CIDR with host bits, suggesting the prefix', () => {
    const error = given(base)
      .when(rule({ match: { protocol: 'any', cidr: '10.1.2.3/16' } }))
      .then('INVALID_CIDR');
    expect(error.details).toMatchObject({ suggestion: '10.1.0.0/16' });
  });

  it.each<[string, Partial<CreateAclRule['data']>]>([
    ['the same match', {}],
    ['a wider CIDR', { match: { protocol: 'tcp', cidr: '10.1.0.0/16', portFrom: 443 } }],
    ['any protocol', { match: { protocol: 'any' } }],
    ['overlapping ports', { match: { protocol: 'tcp', portFrom: 400, portTo: 500 } }],
    ['another action', { action: 'drop' }],
  ])('refuses an overlapping rule at the same priority: %s', (_, data) => {
    const error = given([...base, existing])
      .when(rule(data))
      .then('ACL_RULE_OVERLAP');
    expect(error.details).toEqual({ ruleId: 'r0', priority: 100 });
  });

  it.each<[string, Partial<CreateAclRule['data']>]>([
    ['another priority', { priority: 101 }],
    ['another direction', { direction: 'to-vm' }],
    ['another scope', { scope: { kind: 'vif', vifId: 'vif1' } }],
    ['a disjoint CIDR', { match: { protocol: 'tcp', cidr: '192.168.0.0/16' } }],
    ['another family', { match: { protocol: 'tcp', cidr: 'fd00::/8' } }],
    ['disjoint ports', { match: { protocol: 'tcp', portFrom: 444, portTo: 1000 } }],
    ['another protocol', { match: { protocol: 'udp', portFrom: 80 } }],
  ])('allows %s', (_, data) => {
    given([...base, existing])
      .when(rule(data))
      .then([expect.objectContaining({ type: 'AclRuleCreated' }) as never]);
  });
});

describe('DeleteAclRule', () => {
  it('deletes the rule and frees its slot', () => {
    given([...base, existing])
      .when(cmd('DeleteAclRule', { ruleId: 'r0' }))
      .then([ev('AclRuleDeleted', { ruleId: 'r0' })]);
    given([...base, existing, ev('AclRuleDeleted', { ruleId: 'r0' })])
      .when(rule())
      .then([expect.objectContaining({ type: 'AclRuleCreated' }) as never]);
  });

  it('refuses an unknown rule', () => {
    given(base)
      .when(cmd('DeleteAclRule', { ruleId: 'r0' }))
      .then('ACL_RULE_NOT_FOUND');
  });
});

describe('matchesOverlap', () => {
  const noSets = () => [];
  const match = fc
    .record({
      protocol: fc.constantFrom('any', 'tcp', 'udp', 'icmp'),
      cidr: fc.option(
        fc.constantFrom('10.0.0.0/8', '10.1.0.0/16', '192.0.2.0/24', 'fd00::/8', '0.0.0.0/0'),
      ),
      ports: fc.option(
        fc.tuple(fc.integer({ min: 0, max: 100 }), fc.integer({ min: 0, max: 100 })),
      ),
    })
    .map(({ protocol, cidr, ports }) => {
      const tcpOrUdp = protocol === 'tcp' || protocol === 'udp';
      const [a, b] = ports ?? [0, 0];
      return requireMatch(replayPool(lab), {
        protocol,
        cidr,
        portFrom: tcpOrUdp && ports ? Math.min(a, b) : null,
        portTo: tcpOrUdp && ports ? Math.max(a, b) : null,
      });
    });

  it('is symmetric, and every match overlaps itself', () => {
    fc.assert(
      fc.property(match, match, (a, b) => {
        expect(matchesOverlap(a, b, noSets)).toBe(matchesOverlap(b, a, noSets));
        expect(matchesOverlap(a, a, noSets)).toBe(true);
      }),
    );
  });
});
