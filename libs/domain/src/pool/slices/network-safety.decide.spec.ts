import { describe, expect, it } from 'vitest';
import { replayPool } from '../pool.decider.js';
import {
  cmd,
  ev,
  external,
  given,
  hostJoined,
  NOW,
  poolCreated,
  vifCreated,
  vmCreated,
} from '../testing/pool.fixtures.js';
import { hostHasDevice } from './uplinks.js';

// h1 manages through eth0; `mgmt-vlan` is tagged on eth0 (what cut the host off), `v20` on eth1.
const base = [
  poolCreated,
  hostJoined('h1', ['eth0', 'eth1', 'eth2', 'eth3']),
  external('mgmt-vlan', 'eth0', 99),
  external('v20', 'eth1', 20),
];
const rollback = (data: Partial<{ refusedVersion: number; heldVersion: number }> = {}) =>
  cmd('RecordNetworkRollback', {
    hostId: 'h1',
    refusedVersion: 4,
    heldVersion: 3,
    reason: 'NATS did not answer within 30000 ms',
    ...data,
  });
const bondCreated = (bondId: string, device: string, members: string[]) =>
  ev('BondCreated', { bondId, hostId: 'h1', device, members, mode: 'active-backup' });
const mgmtBond = bondCreated('b1', 'bond0', ['eth0', 'eth2']);
const otherBond = bondCreated('b2', 'bond1', ['eth1', 'eth3']);

describe('RecordNetworkRollback', () => {
  it("records the host's rollback as it reported it", () => {
    given(base)
      .when(rollback())
      .then([
        ev('HostNetworkRolledBack', {
          hostId: 'h1',
          refusedVersion: 4,
          heldVersion: 3,
          reason: 'NATS did not answer within 30000 ms',
          recordedAt: NOW,
        }),
      ]);
  });

  it.each([
    ['a held version not below the refused one', { heldVersion: 4 }, 'INVALID_NUMBER'],
    ['a refused version 0', { refusedVersion: 0, heldVersion: 0 }, 'INVALID_NUMBER'],
  ] as const)('refuses %s', (_, data, code) => {
    given(base).when(rollback(data)).then(code);
  });

  it('refuses an unknown host', () => {
    given(base)
      .when(cmd('RecordNetworkRollback', { ...rollback().data, hostId: 'h9' }))
      .then('HOST_NOT_FOUND');
  });

  it("changes nothing in the pool's configuration", () => {
    const recorded = ev('HostNetworkRolledBack', {
      ...rollback().data,
      recordedAt: NOW,
    });
    const before = replayPool(base);
    const after = replayPool([...base, recorded]);
    expect([...after.networks.keys()]).toEqual([...before.networks.keys()]);
    expect(after.hosts.get('h1')).toEqual(before.hosts.get('h1'));
  });
});

describe('ResetHostNetworking', () => {
  it('keeps the management NIC for management alone, destroying the bonds over it', () => {
    given([...base, mgmtBond, otherBond])
      .when(cmd('ResetHostNetworking', { hostId: 'h1' }))
      .then([
        ev('BondDestroyed', { bondId: 'b1', hostId: 'h1', device: 'bond0' }),
        ev('HostNetworkingReset', { hostId: 'h1', device: 'eth0' }),
      ]);
  });

  it('leaves no network uplinked on the management NIC until management moves', () => {
    const reset = ev('HostNetworkingReset', { hostId: 'h1', device: 'eth0' });
    const state = replayPool([...base, reset]);
    expect(hostHasDevice(state, 'h1', 'eth0')).toBe(false);
    expect(hostHasDevice(state, 'h1', 'eth1')).toBe(true);
    const moved = ev('ManagementPifMoved', { hostId: 'h1', fromDevice: 'eth0', toDevice: 'eth3' });
    expect(hostHasDevice(replayPool([...base, reset, moved]), 'h1', 'eth0')).toBe(true);
  });

  it('refuses afterwards to start a VM on the host with a VIF on the management NIC', () => {
    given([
      ...base,
      ev('HostNetworkingReset', { hostId: 'h1', device: 'eth0' }),
      vmCreated('vm1'),
      vifCreated('vif1', 'vm1', 'mgmt-vlan'),
    ])
      .when(cmd('StartVm', { vmId: 'vm1', hostId: 'h1' }))
      .then('MISSING_UPLINKS');
  });

  it('refuses an unknown host', () => {
    given(base)
      .when(cmd('ResetHostNetworking', { hostId: 'h9' }))
      .then('HOST_NOT_FOUND');
  });
});
