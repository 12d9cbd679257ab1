import { describe, expect, it } from 'vitest';
import { topology } from '../testing/topology-builder.js';
import { desiredState } from './desired-state.js';
import type { Port } from './host-state.js';
import { aclsFor } from './policy.js';
import { sortedCidrs } from './remotes.js';
import type { PoolTopology } from './topology.js';

/** Two hosts, two networks; web1 (h1, lan) and web2 (h2, dmz) are in group "web". */
const pool = () =>
  topology()
    .host('h1')
    .host('h2')
    .external('lan', 'eth0', 10)
    .external('dmz', 'eth0', 20)
    .vm('web1', 'h1')
    .vif('w1', 'web1', 'lan', {
      ipv4: '10.0.0.1',
      ipv6: 'FD00:0:0::1',
      extraIps: ['10.0.0.11'],
      allowedPairs: [{ ip: '10.0.0.100' }],
    })
    .vm('web2', 'h2')
    .vif('w2', 'web2', 'dmz', { ipv4: '10.1.0.2' })
    .vm('db', 'h1')
    .vif('d', 'db', 'lan', { ipv4: '10.0.0.3' })
    .vm('off')
    .vif('o', 'off', 'lan', { ipv4: '10.0.0.9' })
    .group('web', ['w1', 'w2']);

const vif = (t: PoolTopology, id: string) => {
  const found = t.vifs.find((v) => v.id === id);
  if (!found) throw new Error(id);
  return found;
};
const portOf = (t: PoolTopology, host: string, vifId: string): Port | undefined =>
  desiredState(t, host)
    .bridges.flatMap((b) => b.ports)
    .find((p) => p.vifId === vifId);

describe('aclsFor', () => {
  it("gives a port its network's rules, its own and every group's it is in, by priority", () => {
    const t = pool()
      .group('ops', ['w1'], 'allow')
      .acl('net', { networkId: 'lan' }, { priority: 1 })
      .acl('own', { vifId: 'w1' }, { priority: 2 })
      .acl('web', { groupId: 'web' }, { priority: 3 })
      .acl('ops', { groupId: 'ops' }, { priority: 4 })
      .acl('other-net', { networkId: 'dmz' }, { priority: 0 })
      .build();
    expect(aclsFor(t, vif(t, 'w1')).map((r) => r.id)).toEqual(['ops', 'web', 'own', 'net']);
    // A member on another host and network gets the group's rules, not lan's.
    expect(aclsFor(t, vif(t, 'w2')).map((r) => r.id)).toEqual(['web', 'other-net']);
    expect(aclsFor(t, vif(t, 'd')).map((r) => r.id)).toEqual(['net']);
  });

  it('resolves a remote group to every address of every member, pool-wide', () => {
    const t = pool()
      .acl('from-web', { vifId: 'd' }, { direction: 'egress', match: { remoteGroupId: 'web' } })
      .build();
    const [rule] = aclsFor(t, vif(t, 'd'));
    // w1's own, further and pair addresses; w2 on the other host and network; IPv4 first.
    expect(rule?.match).toEqual({
      protocol: 'any',
      remotes: ['10.0.0.1/32', '10.0.0.11/32', '10.0.0.100/32', '10.1.0.2/32', 'fd00::1/128'],
    });
  });

  it('counts a member whose VM runs nowhere, and resolves a missing group or set to nothing', () => {
    const t = pool()
      .group('web', ['w1', 'o'])
      .acl('g', { vifId: 'd' }, { match: { remoteGroupId: 'web' } })
      .acl('gone', { vifId: 'd' }, { match: { remoteGroupId: 'nope' } })
      .acl('set', { vifId: 'd' }, { match: { addressSetId: 'nope' } })
      .build();
    const rules = new Map(aclsFor(t, vif(t, 'd')).map((r) => [r.id, r.match.remotes]));
    expect(rules.get('g')).toContain('10.0.0.9/32');
    expect(rules.get('gone')).toEqual([]);
    expect(rules.get('set')).toEqual([]);
  });

  it('resolves an address set to its CIDRs, a CIDR to itself, no remote to any', () => {
    const t = pool()
      .addressSet('admins', ['192.0.2.0/24', '2001:db8::/32'])
      .addressSet('empty', [])
      .acl('set', { vifId: 'd' }, { match: { protocol: 'tcp', addressSetId: 'admins' } })
      .acl('none', { vifId: 'd' }, { match: { protocol: 'tcp', addressSetId: 'empty' } })
      .acl('cidr', { vifId: 'd' }, { match: { cidr: '198.51.100.0/24' } })
      .acl('any', { vifId: 'd' }, { match: { protocol: 'icmp' } })
      .build();
    const rules = new Map(aclsFor(t, vif(t, 'd')).map((r) => [r.id, r.match]));
    expect(rules.get('set')).toEqual({
      protocol: 'tcp',
      remotes: ['192.0.2.0/24', '2001:db8::/32'],
    });
    expect(rules.get('none')).toEqual({ protocol: 'tcp', remotes: [] });
    expect(rules.get('cidr')).toEqual({ protocol: 'any', remotes: ['198.51.100.0/24'] });
    expect(rules.get('any')).toEqual({ protocol: 'icmp' });
  });

  it('follows membership: a VIF added to a group lends its addresses and takes its rules', () => {
    const rules = (members: string[]) => {
      const t = pool()
        .group('web', members)
        .acl('web-in', { groupId: 'web' }, { priority: 5 })
        .acl('from-web', { vifId: 'w1' }, { match: { remoteGroupId: 'web' } })
        .build();
      return aclsFor(t, vif(t, 'd'));
    };
    expect(rules(['w1'])).toEqual([]);
    expect(rules(['w1', 'd']).map((r) => r.id)).toEqual(['web-in']);
  });
});

describe('default policy of a port', () => {
  it('denies when its network or any of its groups denies, else allows', () => {
    const t = pool().group('web', ['w1', 'w2'], 'allow').group('locked', ['w2']).build();
    expect(portOf(t, 'h1', 'w1')?.aclDefault).toBeUndefined();
    expect(portOf(t, 'h2', 'w2')?.aclDefault).toBe('deny');
    expect(portOf(t, 'h1', 'd')?.aclDefault).toBeUndefined();
    const denying = pool().group('web', ['w1'], 'allow').networkDefault('lan').build();
    expect(portOf(denying, 'h1', 'd')?.aclDefault).toBe('deny');
    expect(portOf(denying, 'h1', 'w1')?.aclDefault).toBe('deny');
    expect(portOf(denying, 'h2', 'w2')?.aclDefault).toBeUndefined();
  });

  it('keeps a port without any policy exactly as before groups existed (no field)', () => {
    const port = portOf(pool().build(), 'h1', 'd');
    expect(port && 'aclDefault' in port).toBe(false);
  });
});

describe('sortedCidrs', () => {
  it('orders IPv4 before IPv6, numerically, without duplicates', () => {
    expect(
      sortedCidrs(['fd00::10/128', '10.0.0.10/32', 'fd00::9/128', '10.0.0.9/32', '10.0.0.9/32']),
    ).toEqual(['10.0.0.9/32', '10.0.0.10/32', 'fd00::9/128', 'fd00::10/128']);
    expect(sortedCidrs(['::1/128', '2001:db8::/32', '10.0.0.0/8', '10.0.0.0/16'])).toEqual([
      '10.0.0.0/8',
      '10.0.0.0/16',
      '::1/128',
      '2001:db8::/32',
    ]);
  });
});
