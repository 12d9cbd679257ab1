import { describe, expect, it } from 'vitest';
import type { CreateBond } from '../pool.commands.js';
import {
  cmd,
  ev,
  external,
  given,
  hostJoined,
  poolCreated,
  vifCreated,
  vmCreated,
  vmStarted,
} from '../testing/pool.fixtures.js';

// h1 has eth0 (management) to eth3; `storage` runs untagged on eth3, `v20` tagged on eth1.
const base = [
  poolCreated,
  hostJoined('h1', ['eth0', 'eth1', 'eth2', 'eth3']),
  external('storage', 'eth3'),
  external('v20', 'eth1', 20),
  vmCreated('vm1'),
];
const bond = (data: Partial<CreateBond['data']> = {}) =>
  cmd('CreateBond', {
    bondId: 'b1',
    hostId: 'h1',
    device: 'bond0',
    members: ['eth2', 'eth3'],
    mode: 'active-backup',
    ...data,
  });
const bondCreated = ev('BondCreated', {
  bondId: 'b1',
  hostId: 'h1',
  device: 'bond0',
  members: ['eth2', 'eth3'],
  mode: 'active-backup',
});

describe('CreateBond', () => {
  it('bonds PIFs of one host', () => {
    given(base).when(bond()).then([bondCreated]);
  });

  it.each([
    ['one member', { members: ['eth2'] }, 'INVALID_BOND'],
    ['a member twice', { members: ['eth2', 'eth2'] }, 'INVALID_BOND'],
    ['itself as a member', { device: 'eth2', members: ['eth2', 'eth3'] }, 'INVALID_BOND'],
    ['an unknown mode', { mode: 'roundrobin' as never }, 'INVALID_OPTION'],
    ['a bad device', { device: 'bond/0' }, 'INVALID_DEVICE'],
    ['a member the host lacks', { members: ['eth2', 'eth9'] }, 'PIF_NOT_FOUND'],
    ['a device the host has', { device: 'eth3', members: ['eth1', 'eth2'] }, 'DEVICE_IN_USE'],
    ['an unknown host', { hostId: 'h9' }, 'HOST_NOT_FOUND'],
  ] as const)('refuses %s', (_, data, code) => {
    given(base).when(bond(data)).then(code);
  });

  it('refuses an id in use', () => {
    given([...base, bondCreated])
      .when(bond({ device: 'bond1' }))
      .then('BOND_EXISTS');
  });

  it('refuses a member of another bond', () => {
    given([...base, bondCreated])
      .when(bond({ bondId: 'b2', device: 'bond1', members: ['eth0', 'eth2'] }))
      .then('PIF_ALREADY_BONDED');
  });

  it('refuses a bond device already in use', () => {
    given([poolCreated, hostJoined('h1', ['eth0', 'eth1', 'eth2', 'eth3', 'eth4']), bondCreated])
      .when(bond({ bondId: 'b2', members: ['eth1', 'eth4'] }))
      .then('DEVICE_IN_USE');
  });

  it('refuses a member that carries a VLAN network', () => {
    const error = given(base)
      .when(bond({ members: ['eth1', 'eth2'] }))
      .then('BOND_MEMBER_HAS_VLAN');
    expect(error.details).toEqual({ device: 'eth1', networkIds: ['v20'] });
  });

  it('refuses a member a running VM reaches a network through', () => {
    given([...base, vifCreated('vif1', 'vm1', 'storage'), vmStarted('vm1', 'h1')])
      .when(bond())
      .then('UPLINK_IN_USE');
  });

  it('allows it when the VM runs elsewhere', () => {
    given([
      ...base,
      hostJoined('h2', ['eth0', 'eth3']),
      vifCreated('vif1', 'vm1', 'storage'),
      vmStarted('vm1', 'h2'),
    ])
      .when(bond())
      .then([bondCreated]);
  });
});

describe('DestroyBond', () => {
  const bonded = [...base, bondCreated, external('bonded', 'bond0')];

  it('destroys the bond', () => {
    given(bonded)
      .when(cmd('DestroyBond', { bondId: 'b1' }))
      .then([ev('BondDestroyed', { bondId: 'b1', hostId: 'h1', device: 'bond0' })]);
  });

  it('frees the members for another bond', () => {
    given([...bonded, ev('BondDestroyed', { bondId: 'b1', hostId: 'h1', device: 'bond0' })])
      .when(bond())
      .then([bondCreated]);
  });

  it('refuses an unknown bond', () => {
    given(base)
      .when(cmd('DestroyBond', { bondId: 'b1' }))
      .then('BOND_NOT_FOUND');
  });

  it('refuses while a running VM reaches a network through it', () => {
    given([...bonded, vifCreated('vif1', 'vm1', 'bonded'), vmStarted('vm1', 'h1')])
      .when(cmd('DestroyBond', { bondId: 'b1' }))
      .then('UPLINK_IN_USE');
  });
});
