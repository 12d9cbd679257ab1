import { describe, expect, it } from 'vitest';
import type { CreateVif } from '../pool.commands.js';
import type { PoolEvent } from '../pool.events.js';
import {
  NOW,
  aclRuleCreated,
  cmd,
  ev,
  given,
  hostJoined,
  lab,
  macFor,
  vifCreated,
  vmCreated,
  vmStarted,
} from '../testing/pool.fixtures.js';

const create = (data: Partial<CreateVif['data']> = {}) =>
  cmd('CreateVif', { vifId: 'vif1', vmId: 'vm1', device: 0, networkId: 'lan', ...data });
const created = (data: Partial<Extract<PoolEvent, { type: 'VifCreated' }>['data']> = {}) =>
  ev('VifCreated', {
    vifId: 'vif1',
    vmId: 'vm1',
    device: 0,
    networkId: 'lan',
    mac: '52:54:00:aa:bb:cc',
    macGenerated: false,
    ipv4: null,
    ipv6: null,
    extraIps: [],
    allowedPairs: [],
    qos: null,
    portSecurity: false,
    ...data,
  });
const qos = { ingressKbps: 1000, ingressBurstKb: 100, egressKbps: 0, egressBurstKb: 0 };
const withVif = [
  ...lab,
  vmCreated('vm2'),
  vifCreated('vif0', 'vm2', 'lan', { ipv4: '10.0.0.5', ipv6: '2001:db8::5' }),
];

describe('CreateVif', () => {
  it('creates a VIF with a given MAC, normalised, and canonical addresses', () => {
    given(lab)
      .when(
        create({
          mac: '52-54-00-AA-BB-CC',
          ipv4: '10.0.0.1',
          ipv6: '2001:DB8:0:0::1',
          qos,
          portSecurity: true,
        }),
      )
      .then([created({ ipv4: '10.0.0.1', ipv6: '2001:db8::1', qos, portSecurity: true })]);
  });

  it('refuses a MAC in use, whatever its spelling', () => {
    const mac = macFor('vif0').toUpperCase().replaceAll(':', '-');
    const error = given(withVif).when(create({ mac })).then('MAC_IN_USE');
    expect(error.details).toEqual({ mac: macFor('vif0'), vifId: 'vif0' });
  });

  it.each([
    '01:00:5e:00:00:01',
    'ff:ff:ff:ff:ff:ff',
    '00:00:00:00:00:00',
    'zz:00:00:00:00:00',
    '52:54:00:aa:bb',
  ])('refuses the MAC %s', (mac) => {
    given(lab).when(create({ mac })).then('INVALID_MAC');
  });

  it.each([-1, 16, 1.5])('refuses device %d', (device) => {
    given(lab).when(create({ device })).then('INVALID_VIF_DEVICE');
  });

  it('refuses a device the VM already uses, not one another VM uses', () => {
    given([...withVif, vifCreated('vifx', 'vm1', 'priv')])
      .when(create({ mac: null }))
      .then('VIF_DEVICE_IN_USE');
    given(withVif)
      .when(create({ device: 0, mac: '52:54:00:aa:bb:cc' }))
      .then([created()]);
  });

  it('takes the lowest free device of the VM when none is given', () => {
    const { device: _omitted, ...withoutDevice } = create({ mac: '52:54:00:aa:bb:cc' }).data;
    const omitted = cmd('CreateVif', withoutDevice);
    given(withVif).when(omitted).then([created()]);
    // Device 0 and 2 taken on vm1, 1 free (and vm2's device 1 is no concern).
    const holes = [
      ...withVif,
      vifCreated('vifa', 'vm1', 'priv', { device: 0 }),
      vifCreated('vifb', 'vm1', 'priv', { device: 2 }),
      vifCreated('vifc', 'vm2', 'priv', { device: 1 }),
    ];
    given(holes)
      .when(omitted)
      .then([created({ device: 1 })]);
  });

  it('refuses a VIF without device when the VM uses all sixteen', () => {
    const full = [
      ...lab,
      ...Array.from({ length: 16 }, (_, device) =>
        vifCreated(`full${device}`, 'vm1', 'priv', { device }),
      ),
    ];
    const { device: _omitted, ...withoutDevice } = create().data;
    const error = given(full).when(cmd('CreateVif', withoutDevice)).then('VIF_DEVICES_EXHAUSTED');
    expect(error.details).toEqual({ vmId: 'vm1' });
  });

  it('refuses an IP in use on the network, not on another one', () => {
    given(withVif)
      .when(create({ ipv4: '10.0.0.5' }))
      .then('IP_IN_USE');
    given(withVif)
      .when(create({ ipv6: '2001:db8:0::5' }))
      .then('IP_IN_USE');
    given(withVif)
      .when(create({ networkId: 'priv', ipv4: '10.0.0.5', mac: '52:54:00:aa:bb:cc' }))
      .then([created({ networkId: 'priv', ipv4: '10.0.0.5' })]);
  });

  it.each([
    ['ipv4', '10.0.0'],
    ['ipv4', '224.0.0.1'],
    ['ipv4', '0.0.0.0'],
    ['ipv4', '255.255.255.255'],
    ['ipv4', '2001:db8::1'],
    ['ipv6', '::'],
    ['ipv6', 'ff02::1'],
    ['ipv6', '10.0.0.1'],
  ])('refuses %s %s', (field, ip) => {
    given(lab)
      .when(create({ [field]: ip }))
      .then('INVALID_IP');
  });

  it.each([{ ...qos, egressKbps: -1 }, { ...qos, ingressKbps: 0.5 }, { ingressKbps: 1 }, 'fast'])(
    'refuses QoS %j',
    (bad) => {
      given(lab)
        .when(create({ qos: bad as never }))
        .then('INVALID_QOS');
    },
  );

  it('refuses unknown ids and ids in use', () => {
    given(lab)
      .when(create({ vmId: 'vm9' }))
      .then('VM_NOT_FOUND');
    given(lab)
      .when(create({ networkId: 'nope' }))
      .then('NETWORK_NOT_FOUND');
    given(withVif)
      .when(create({ vifId: 'vif0' }))
      .then('VIF_EXISTS');
  });

  it('plugs into a running VM only where its host has the uplink', () => {
    given([...lab, hostJoined('h3', ['eth0']), vmStarted('vm1', 'h3')])
      .when(create({ mac: '52:54:00:aa:bb:cc' }))
      .then('MISSING_UPLINKS');
    given([...lab, vmStarted('vm1', 'h1')])
      .when(create({ mac: '52:54:00:aa:bb:cc' }))
      .then([created()]);
  });

  it('refuses a migrating VM', () => {
    given([
      ...lab,
      vmStarted('vm1', 'h1'),
      ev('MigrationRequested', {
        migrationId: 'm1',
        vmId: 'vm1',
        fromHostId: 'h1',
        toHostId: 'h2',
        requestedAt: NOW,
        acceptIsolation: false,
      }),
    ])
      .when(create())
      .then('VM_MIGRATING');
  });
});

describe('UpdateVif', () => {
  const vif0 = withVif.at(-1) as Extract<PoolEvent, { type: 'VifCreated' }>;
  const updated = (data: Partial<Extract<PoolEvent, { type: 'VifUpdated' }>['data']>) =>
    ev('VifUpdated', {
      vifId: 'vif0',
      ipv4: '10.0.0.5',
      ipv6: '2001:db8::5',
      extraIps: [],
      allowedPairs: [],
      qos: null,
      portSecurity: false,
      ...data,
    });

  it('changes QoS and port security, carrying the whole configuration', () => {
    given(withVif)
      .when(cmd('UpdateVif', { vifId: 'vif0', qos, portSecurity: true }))
      .then([updated({ qos, portSecurity: true })]);
  });

  it('changes or clears addresses, freeing the old ones', () => {
    given(withVif)
      .when(cmd('UpdateVif', { vifId: 'vif0', ipv4: '10.0.0.6', ipv6: null }))
      .then([updated({ ipv4: '10.0.0.6', ipv6: null })]);
    given([...withVif, updated({ ipv4: '10.0.0.6' })])
      .when(create({ ipv4: '10.0.0.5', mac: '52:54:00:aa:bb:cc' }))
      .then([created({ ipv4: '10.0.0.5' })]);
  });

  it('decides nothing when nothing changes', () => {
    given(withVif)
      .when(
        cmd('UpdateVif', {
          vifId: 'vif0',
          ipv4: '10.0.0.5',
          ipv6: '2001:db8:0:0::5',
          portSecurity: false,
        }),
      )
      .then([]);
    given([...withVif, updated({ qos })])
      .when(cmd('UpdateVif', { vifId: 'vif0', qos: { ...qos } }))
      .then([]);
  });

  it('refuses an address another VIF holds', () => {
    given([...withVif, vifCreated('vif1', 'vm1', 'lan', { ipv4: '10.0.0.9' })])
      .when(cmd('UpdateVif', { vifId: 'vif0', ipv4: '10.0.0.9' }))
      .then('IP_IN_USE');
  });

  it('refuses bad values, unknown VIFs and migrating VMs', () => {
    given(withVif)
      .when(cmd('UpdateVif', { vifId: 'vif0', ipv4: 'x' }))
      .then('INVALID_IP');
    given(withVif)
      .when(cmd('UpdateVif', { vifId: 'vif0', portSecurity: 'yes' as never }))
      .then('INVALID_OPTION');
    given(withVif)
      .when(cmd('UpdateVif', { vifId: 'nope', qos }))
      .then('VIF_NOT_FOUND');
    given([
      ...withVif,
      vmStarted('vm2', 'h1'),
      ev('MigrationRequested', {
        migrationId: 'm1',
        vmId: 'vm2',
        fromHostId: 'h1',
        toHostId: 'h2',
        requestedAt: NOW,
        acceptIsolation: false,
      }),
    ])
      .when(cmd('UpdateVif', { vifId: vif0.data.vifId, qos }))
      .then('VM_MIGRATING');
  });
});

describe('DestroyVif', () => {
  const destroyed = ev('VifDestroyed', {
    vifId: 'vif0',
    vmId: 'vm2',
    networkId: 'lan',
    mac: macFor('vif0'),
  });

  it('destroys the VIF and frees its MAC and addresses', () => {
    given(withVif)
      .when(cmd('DestroyVif', { vifId: 'vif0' }))
      .then([destroyed]);
    given([...withVif, destroyed])
      .when(create({ mac: macFor('vif0'), ipv4: '10.0.0.5' }))
      .then([created({ mac: macFor('vif0'), ipv4: '10.0.0.5' })]);
  });

  it('deletes ACL rules on it and mirrors from or to it first', () => {
    given([
      ...withVif,
      vifCreated('vif1', 'vm1', 'lan'),
      aclRuleCreated('r1', { kind: 'vif', vifId: 'vif0' }, {}, { priority: 5 }),
      ev('MirrorCreated', {
        mirrorId: 'in',
        source: { kind: 'vif', vifId: 'vif1' },
        direction: 'both',
        destinationVifId: 'vif0',
      }),
      ev('MirrorCreated', {
        mirrorId: 'out',
        source: { kind: 'vif', vifId: 'vif0' },
        direction: 'egress',
        destinationVifId: 'vif1',
      }),
    ])
      .when(cmd('DestroyVif', { vifId: 'vif0' }))
      .then([
        ev('AclRuleDeleted', { ruleId: 'r1' }),
        ev('MirrorDeleted', { mirrorId: 'in' }),
        ev('MirrorDeleted', { mirrorId: 'out' }),
        destroyed,
      ]);
  });

  it('refuses an unknown VIF', () => {
    given(withVif)
      .when(cmd('DestroyVif', { vifId: 'nope' }))
      .then('VIF_NOT_FOUND');
  });
});
