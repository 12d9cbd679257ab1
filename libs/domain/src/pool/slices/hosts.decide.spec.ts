import { describe, expect, it } from 'vitest';
import { replayPool } from '../pool.decider.js';
import {
  NOW,
  cmd,
  ev,
  given,
  hostJoined,
  lab,
  pif,
  poolCreated,
  vifCreated,
  vmStarted,
} from '../testing/pool.fixtures.js';

const inventory = [
  { device: 'eth0', mac: '00:16:3E:00:00:01', mtu: 1500, speedMbps: 10000, carrier: true },
  { device: 'eth1', mac: '00-16-3e-00-00-02', mtu: 9000, speedMbps: 25000, carrier: false },
];
const join = (overrides: Partial<Parameters<typeof cmd<'JoinHost'>>[1]> = {}) =>
  cmd('JoinHost', {
    hostId: 'h1',
    name: 'host one',
    address: '10.0.0.1',
    pifs: inventory,
    managementDevice: 'eth0',
    ...overrides,
  });

describe('JoinHost', () => {
  it('joins with its PIFs, the management one marked, MACs normalised', () => {
    given([poolCreated])
      .when(join())
      .then([
        ev('HostJoined', {
          hostId: 'h1',
          name: 'host one',
          address: '10.0.0.1',
          pifs: [
            { ...inventory[0]!, mac: '00:16:3e:00:00:01', role: 'management' },
            { ...inventory[1]!, mac: '00:16:3e:00:00:02', role: 'unused' },
          ],
          joinedAt: NOW,
        }),
      ]);
  });

  it('joins enabled', () => {
    expect(replayPool([poolCreated, hostJoined('h1')]).hosts.get('h1')?.state).toBe('enabled');
  });

  it('refuses a host id in use', () => {
    given([poolCreated, hostJoined('h1')])
      .when(join())
      .then('HOST_EXISTS');
  });

  it.each([
    ['no PIF', { pifs: [] }, 'INVALID_INVENTORY'],
    ['a device twice', { pifs: [inventory[0]!, inventory[0]!] }, 'INVALID_INVENTORY'],
    ['a management device it lacks', { managementDevice: 'eth9' }, 'INVALID_INVENTORY'],
    ['a bad device', { pifs: [{ ...inventory[0]!, device: 'eth 0' }] }, 'INVALID_DEVICE'],
    ['a bad MAC', { pifs: [{ ...inventory[0]!, mac: 'nope' }] }, 'INVALID_MAC'],
    ['a bad MTU', { pifs: [{ ...inventory[0]!, mtu: 10000 }] }, 'INVALID_MTU'],
    ['a bad speed', { pifs: [{ ...inventory[0]!, speedMbps: -1 }] }, 'INVALID_NUMBER'],
    ['no address', { address: ' ' }, 'INVALID_TEXT'],
    ['a bad name', { name: '' }, 'INVALID_NAME'],
  ] as const)('refuses %s', (_, overrides, code) => {
    given([poolCreated]).when(join(overrides)).then(code);
  });
});

describe('EnableHost and DisableHost', () => {
  const disabled = [poolCreated, hostJoined('h1'), ev('HostDisabled', { hostId: 'h1' })];

  it('disables and enables', () => {
    given([poolCreated, hostJoined('h1')])
      .when(cmd('DisableHost', { hostId: 'h1' }))
      .then([ev('HostDisabled', { hostId: 'h1' })]);
    given(disabled)
      .when(cmd('EnableHost', { hostId: 'h1' }))
      .then([ev('HostEnabled', { hostId: 'h1' })]);
  });

  it('decides nothing when already there', () => {
    given(disabled)
      .when(cmd('DisableHost', { hostId: 'h1' }))
      .then([]);
    given([poolCreated, hostJoined('h1')])
      .when(cmd('EnableHost', { hostId: 'h1' }))
      .then([]);
  });

  it('refuses an unknown host', () => {
    const error = given([poolCreated])
      .when(cmd('EnableHost', { hostId: 'h9' }))
      .then('HOST_NOT_FOUND');
    expect(error.kind).toBe('not_found');
  });
});

describe('EjectHost', () => {
  const bonded = [
    ...lab,
    ev('BondCreated', {
      bondId: 'b1',
      hostId: 'h1',
      device: 'bond0',
      members: ['eth2', 'eth3'],
      mode: 'lacp',
    }),
  ];

  it('ejects the host with its bonds', () => {
    const withEth3 = [poolCreated, hostJoined('h1', ['eth0', 'eth2', 'eth3']), ...bonded.slice(-1)];
    given(withEth3)
      .when(cmd('EjectHost', { hostId: 'h1' }))
      .then([
        ev('BondDestroyed', { bondId: 'b1', hostId: 'h1', device: 'bond0' }),
        ev('HostEjected', { hostId: 'h1' }),
      ]);
  });

  it('refuses while VMs run on it', () => {
    const error = given([...lab, vmStarted('vm1', 'h1')])
      .when(cmd('EjectHost', { hostId: 'h1' }))
      .then('HOST_HAS_RUNNING_VMS');
    expect(error.details).toEqual({ hostId: 'h1', vmIds: ['vm1'] });
  });

  it('refuses while a VM migrates to it', () => {
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
      .when(cmd('EjectHost', { hostId: 'h2' }))
      .then('HOST_HAS_MIGRATIONS');
  });

  it('lets the host join again afterwards', () => {
    given([poolCreated, hostJoined('h1'), ev('HostEjected', { hostId: 'h1' })])
      .when(join())
      .then([expect.objectContaining({ type: 'HostJoined' }) as never]);
  });

  it('leaves VIFs of halted VMs alone', () => {
    const state = replayPool([
      ...lab,
      vifCreated('vif1', 'vm1', 'lan'),
      ev('HostEjected', { hostId: 'h1' }),
    ]);
    expect(state.hosts.has('h1')).toBe(false);
    expect(state.vifs.has('vif1')).toBe(true);
  });
});

describe('SetPifRole', () => {
  const base = [poolCreated, hostJoined('h1')];

  it('sets a non-management role', () => {
    given(base)
      .when(cmd('SetPifRole', { hostId: 'h1', device: 'eth1', role: 'storage' }))
      .then([ev('PifRoleChanged', { hostId: 'h1', device: 'eth1', role: 'storage' })]);
  });

  it('moves the management role, leaving exactly one management PIF', () => {
    const [moved] = given(base)
      .when(cmd('SetPifRole', { hostId: 'h1', device: 'eth2', role: 'management' }))
      .then([ev('ManagementPifMoved', { hostId: 'h1', fromDevice: 'eth0', toDevice: 'eth2' })]);
    const pifs = replayPool([...base, moved!]).hosts.get('h1')?.pifs;
    expect([...(pifs?.values() ?? [])].filter((p) => p.role === 'management')).toEqual([
      pif('eth2', 'management', 3),
    ]);
    expect(pifs?.get('eth0')?.role).toBe('unused');
  });

  it('refuses to leave a host without a management PIF', () => {
    given(base)
      .when(cmd('SetPifRole', { hostId: 'h1', device: 'eth0', role: 'vm' }))
      .then('MANAGEMENT_PIF_REQUIRED');
  });

  it('decides nothing for the same role', () => {
    given(base)
      .when(cmd('SetPifRole', { hostId: 'h1', device: 'eth0', role: 'management' }))
      .then([]);
  });

  it('refuses an unknown PIF or role', () => {
    given(base)
      .when(cmd('SetPifRole', { hostId: 'h1', device: 'eth9', role: 'vm' }))
      .then('PIF_NOT_FOUND');
    given(base)
      .when(cmd('SetPifRole', { hostId: 'h1', device: 'eth1', role: 'boss' as never }))
      .then('INVALID_OPTION');
  });
});

describe('SetPifMtu', () => {
  const base = [poolCreated, hostJoined('h1')];

  it('changes the MTU', () => {
    given(base)
      .when(cmd('SetPifMtu', { hostId: 'h1', device: 'eth1', mtu: 9000 }))
      .then([ev('PifMtuChanged', { hostId: 'h1', device: 'eth1', mtu: 9000 })]);
  });

  it('decides nothing for the same MTU', () => {
    given(base)
      .when(cmd('SetPifMtu', { hostId: 'h1', device: 'eth1', mtu: 1500 }))
      .then([]);
  });

  it.each([67, 9217, 1500.5, Number.NaN])('refuses MTU %d', (mtu) => {
    given(base)
      .when(cmd('SetPifMtu', { hostId: 'h1', device: 'eth1', mtu }))
      .then('INVALID_MTU');
  });
});
