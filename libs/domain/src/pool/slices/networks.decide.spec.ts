import { describe, expect, it } from 'vitest';
import {
  aclRuleCreated,
  cmd,
  ev,
  external,
  given,
  hostJoined,
  lab,
  poolCreated,
  vifCreated,
} from '../testing/pool.fixtures.js';

const create = (spec: Record<string, unknown> = {}) =>
  cmd('CreateNetwork', {
    networkId: 'n1',
    name: 'web',
    purpose: 'vm',
    kind: 'external',
    device: 'eth2',
    ...spec,
  });

describe('CreateNetwork', () => {
  it('creates an untagged external network with MTU 1500 by default', () => {
    given(lab)
      .when(create({ name: ' web ' }))
      .then([
        ev('NetworkCreated', {
          networkId: 'n1',
          name: 'web',
          purpose: 'vm',
          mtu: 1500,
          kind: 'external',
          device: 'eth2',
          vlan: null,
        }),
      ]);
  });

  it('creates a tagged one', () => {
    given(lab)
      .when(create({ device: 'eth1', vlan: 4094, mtu: 9000, purpose: 'storage' }))
      .then([
        ev('NetworkCreated', {
          networkId: 'n1',
          name: 'web',
          purpose: 'storage',
          mtu: 9000,
          kind: 'external',
          device: 'eth1',
          vlan: 4094,
        }),
      ]);
  });

  it('creates a private one', () => {
    given(lab)
      .when(
        cmd('CreateNetwork', {
          networkId: 'n1',
          name: 'web',
          purpose: 'vm',
          kind: 'private',
          mtu: 68,
        }),
      )
      .then([
        ev('NetworkCreated', {
          networkId: 'n1',
          name: 'web',
          purpose: 'vm',
          mtu: 68,
          kind: 'private',
        }),
      ]);
  });

  it('refuses an id in use', () => {
    given(lab)
      .when(create({ networkId: 'lan' }))
      .then('NETWORK_EXISTS');
  });

  it('refuses a name in use, whatever its case', () => {
    const error = given(lab)
      .when(create({ name: 'LAN' }))
      .then('NETWORK_NAME_IN_USE');
    expect(error.kind).toBe('conflict');
  });

  it.each([
    ['untagged', 'eth1', undefined],
    ['tagged', 'eth1', 10],
  ])('refuses a second %s network on one device and tag', (_, device, vlan) => {
    const error = given(lab).when(create({ device, vlan })).then('DEVICE_VLAN_IN_USE');
    expect(error.details).toMatchObject({ device, vlan: vlan ?? null });
  });

  it('allows another tag on the same device', () => {
    given(lab)
      .when(create({ device: 'eth1', vlan: 11 }))
      .then([expect.objectContaining({ type: 'NetworkCreated' }) as never]);
  });

  it.each([0, 4095, -1, 10.5, '10'])('refuses VLAN tag %j', (vlan) => {
    given(lab).when(create({ vlan })).then('INVALID_VLAN');
  });

  it.each([67, 9217, 1500.5])('refuses MTU %d', (mtu) => {
    given(lab).when(create({ mtu })).then('INVALID_MTU');
  });

  it.each([
    [{ purpose: 'backup' }, 'INVALID_OPTION'],
    [{ kind: 'geneve' }, 'INVALID_OPTION'],
    [{ device: '' }, 'INVALID_DEVICE'],
    [{ device: 'a-very-long-device-name' }, 'INVALID_DEVICE'],
    [{ name: '\u0007' }, 'INVALID_NAME'],
  ] as const)('refuses %j', (spec, code) => {
    given(lab).when(create(spec)).then(code);
  });

  it('refuses a VLAN on a device that is a bond member on some host', () => {
    const bonded = [
      poolCreated,
      hostJoined('h1', ['eth0', 'eth1', 'eth2']),
      ev('BondCreated', {
        bondId: 'b1',
        hostId: 'h1',
        device: 'bond0',
        members: ['eth1', 'eth2'],
        mode: 'lacp',
      }),
    ];
    given(bonded)
      .when(create({ device: 'eth2', vlan: 5 }))
      .then('BOND_MEMBER_HAS_VLAN');
    given(bonded)
      .when(create({ device: 'bond0', vlan: 5 }))
      .then([expect.objectContaining({ type: 'NetworkCreated' }) as never]);
  });
});

describe('UpdateNetwork', () => {
  it('renames and changes the MTU', () => {
    given(lab)
      .when(cmd('UpdateNetwork', { networkId: 'lan', name: 'LAN', mtu: 9000 }))
      .then([
        ev('NetworkRenamed', { networkId: 'lan', name: 'LAN' }),
        ev('NetworkMtuChanged', { networkId: 'lan', mtu: 9000 }),
      ]);
  });

  it('decides nothing when nothing changes', () => {
    given(lab)
      .when(cmd('UpdateNetwork', { networkId: 'lan', name: 'lan', mtu: 1500 }))
      .then([]);
    given(lab)
      .when(cmd('UpdateNetwork', { networkId: 'lan' }))
      .then([]);
  });

  it('refuses a name another network holds', () => {
    given(lab)
      .when(cmd('UpdateNetwork', { networkId: 'lan', name: 'Priv' }))
      .then('NETWORK_NAME_IN_USE');
  });

  it('frees the old name', () => {
    given([...lab, ev('NetworkRenamed', { networkId: 'lan', name: 'office' })])
      .when(create({ name: 'lan' }))
      .then([expect.objectContaining({ type: 'NetworkCreated' }) as never]);
  });

  it('refuses bad values and unknown networks', () => {
    given(lab)
      .when(cmd('UpdateNetwork', { networkId: 'lan', mtu: 20 }))
      .then('INVALID_MTU');
    given(lab)
      .when(cmd('UpdateNetwork', { networkId: 'lan', name: '' }))
      .then('INVALID_NAME');
    given(lab)
      .when(cmd('UpdateNetwork', { networkId: 'nope', mtu: 1500 }))
      .then('NETWORK_NOT_FOUND');
  });
});

describe('DestroyNetwork', () => {
  it('destroys the network and frees its name and uplink', () => {
    given(lab)
      .when(cmd('DestroyNetwork', { networkId: 'lan' }))
      .then([ev('NetworkDestroyed', { networkId: 'lan' })]);
    given([...lab, ev('NetworkDestroyed', { networkId: 'lan' })])
      .when(create({ name: 'lan', device: 'eth1' }))
      .then([expect.objectContaining({ type: 'NetworkCreated' }) as never]);
  });

  it('refuses while VIFs attach, listing them', () => {
    const error = given([...lab, vifCreated('vif1', 'vm1', 'lan')])
      .when(cmd('DestroyNetwork', { networkId: 'lan' }))
      .then('NETWORK_IN_USE');
    expect(error.details).toEqual({ networkId: 'lan', vifCount: 1, vifIds: ['vif1'] });
  });

  it('deletes the ACL rules and mirrors on it first', () => {
    const scope = { kind: 'network', networkId: 'lan' } as const;
    given([
      ...lab,
      external('other', 'eth2'),
      vifCreated('tap', 'vm1', 'other'),
      aclRuleCreated('r1', scope, {}, { action: 'drop' }),
      ev('MirrorCreated', {
        mirrorId: 'm1',
        source: scope,
        direction: 'both',
        destinationVifId: 'tap',
      }),
    ])
      .when(cmd('DestroyNetwork', { networkId: 'lan' }))
      .then([
        ev('AclRuleDeleted', { ruleId: 'r1' }),
        ev('MirrorDeleted', { mirrorId: 'm1' }),
        ev('NetworkDestroyed', { networkId: 'lan' }),
      ]);
  });

  it('refuses an unknown network', () => {
    given(lab)
      .when(cmd('DestroyNetwork', { networkId: 'nope' }))
      .then('NETWORK_NOT_FOUND');
  });
});

describe('SetNetworkAclDefault', () => {
  const set = (defaultPolicy: string) =>
    cmd('SetNetworkAclDefault', { networkId: 'lan', defaultPolicy: defaultPolicy as 'deny' });

  it('sets deny on a network, which starts as allow; the same again changes nothing', () => {
    const denied = ev('NetworkAclDefaultChanged', { networkId: 'lan', defaultPolicy: 'deny' });
    given(lab).when(set('deny')).then([denied]);
    given(lab).when(set('allow')).then([]);
    given([...lab, denied])
      .when(set('deny'))
      .then([]);
    given([...lab, denied])
      .when(set('allow'))
      .then([ev('NetworkAclDefaultChanged', { networkId: 'lan', defaultPolicy: 'allow' })]);
  });

  it('refuses an unknown policy or network', () => {
    given(lab).when(set('reject')).then('INVALID_OPTION');
    given(lab)
      .when(cmd('SetNetworkAclDefault', { networkId: 'nope', defaultPolicy: 'deny' }))
      .then('NETWORK_NOT_FOUND');
  });
});
