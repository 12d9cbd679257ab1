import { describe, expect, it } from 'vitest';
import {
  NOW,
  aclRuleCreated,
  cmd,
  ev,
  external,
  given,
  hostJoined,
  lab,
  poolCreated,
  vifCreated,
  vmCreated,
  vmStarted,
} from '../testing/pool.fixtures.js';

const withVifs = [
  ...lab,
  vifCreated('vif1', 'vm1', 'lan'),
  vifCreated('vif2', 'vm1', 'vlan10', { device: 1 }),
  vifCreated('vif3', 'vm1', 'priv', { device: 2 }),
];
const start = (hostId: string) => cmd('StartVm', { vmId: 'vm1', hostId });

describe('CreateVm and RenameVm', () => {
  it('creates a halted VM', () => {
    given(lab)
      .when(cmd('CreateVm', { vmId: 'vm2', name: ' db ' }))
      .then([ev('VmCreated', { vmId: 'vm2', name: 'db' })]);
  });

  it('refuses an id in use or a bad name', () => {
    given(lab)
      .when(cmd('CreateVm', { vmId: 'vm1', name: 'x' }))
      .then('VM_EXISTS');
    given(lab)
      .when(cmd('CreateVm', { vmId: 'vm2', name: 'x'.repeat(65) }))
      .then('INVALID_NAME');
  });

  it('renames, or decides nothing for the same name', () => {
    given(lab)
      .when(cmd('RenameVm', { vmId: 'vm1', name: 'web' }))
      .then([ev('VmRenamed', { vmId: 'vm1', name: 'web' })]);
    given(lab)
      .when(cmd('RenameVm', { vmId: 'vm1', name: 'vm1' }))
      .then([]);
    given(lab)
      .when(cmd('RenameVm', { vmId: 'vm9', name: 'x' }))
      .then('VM_NOT_FOUND');
  });
});

describe('StartVm', () => {
  it('starts on an enabled host with an uplink for every external network', () => {
    given(withVifs)
      .when(start('h1'))
      .then([ev('VmStarted', { vmId: 'vm1', hostId: 'h1' })]);
  });

  it('refuses a running VM', () => {
    given([...withVifs, vmStarted('vm1', 'h1')])
      .when(start('h2'))
      .then('VM_NOT_HALTED');
  });

  it('refuses an unknown or disabled host', () => {
    given(withVifs).when(start('h9')).then('HOST_NOT_FOUND');
    given([...withVifs, ev('HostDisabled', { hostId: 'h1' })])
      .when(start('h1'))
      .then('HOST_DISABLED');
  });

  it('refuses a host without an uplink, listing the missing networks', () => {
    const error = given([...withVifs, hostJoined('h3', ['eth0'])])
      .when(start('h3'))
      .then('MISSING_UPLINKS');
    expect(error.details).toEqual({
      hostId: 'h3',
      networks: [
        { networkId: 'lan', name: 'lan', device: 'eth1', vlan: null },
        { networkId: 'vlan10', name: 'vlan10', device: 'eth1', vlan: 10 },
      ],
    });
    expect(error.message).toContain('lan, vlan10');
  });

  it('needs no uplink for private networks', () => {
    given([...lab, vifCreated('vif3', 'vm1', 'priv'), hostJoined('h3', ['eth0'])])
      .when(start('h3'))
      .then([ev('VmStarted', { vmId: 'vm1', hostId: 'h3' })]);
  });

  it('counts a bond as an uplink but not its members', () => {
    const bonded = [
      poolCreated,
      hostJoined('h1', ['eth0', 'eth1', 'eth2', 'eth3']),
      ev('BondCreated', {
        bondId: 'b1',
        hostId: 'h1',
        device: 'bond0',
        members: ['eth2', 'eth3'],
        mode: 'lacp',
      }),
      external('bonded', 'bond0'),
      external('raw', 'eth2'),
      vmCreated('vm1'),
    ];
    given([...bonded, vifCreated('vif1', 'vm1', 'bonded')])
      .when(start('h1'))
      .then([ev('VmStarted', { vmId: 'vm1', hostId: 'h1' })]);
    given([...bonded, vifCreated('vif1', 'vm1', 'raw')])
      .when(start('h1'))
      .then('MISSING_UPLINKS');
  });
});

describe('StopVm', () => {
  it('stops a running VM', () => {
    given([...withVifs, vmStarted('vm1', 'h1')])
      .when(cmd('StopVm', { vmId: 'vm1' }))
      .then([ev('VmStopped', { vmId: 'vm1', hostId: 'h1' })]);
  });

  it('with a host, stops the VM only where it runs (a hypervisor reporting a stop)', () => {
    given([...withVifs, vmStarted('vm1', 'h1')])
      .when(cmd('StopVm', { vmId: 'vm1', hostId: 'h1' }))
      .then([ev('VmStopped', { vmId: 'vm1', hostId: 'h1' })]);
    given([...withVifs, vmStarted('vm1', 'h1')])
      .when(cmd('StopVm', { vmId: 'vm1', hostId: 'h2' }))
      .then('VM_NOT_ON_HOST');
  });

  it('refuses a halted or migrating VM', () => {
    given(withVifs)
      .when(cmd('StopVm', { vmId: 'vm1' }))
      .then('VM_NOT_RUNNING');
    given([
      ...withVifs,
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
      .when(cmd('StopVm', { vmId: 'vm1' }))
      .then('VM_MIGRATING');
  });
});

describe('DestroyVm', () => {
  it('destroys a halted VM after its VIFs and their policies', () => {
    given([
      ...withVifs,
      ev('MirrorCreated', {
        mirrorId: 'm1',
        source: { kind: 'vif', vifId: 'vif1' },
        direction: 'both',
        destinationVifId: 'vif2',
      }),
      aclRuleCreated(
        'r1',
        { kind: 'vif', vifId: 'vif2' },
        { protocol: 'tcp', portFrom: 22, portTo: 22 },
        { direction: 'to-vm', priority: 1 },
      ),
    ])
      .when(cmd('DestroyVm', { vmId: 'vm1' }))
      .then([
        ev('MirrorDeleted', { mirrorId: 'm1' }),
        ev('VifDestroyed', { vifId: 'vif1', vmId: 'vm1', networkId: 'lan', mac: withVifsMac(0) }),
        ev('AclRuleDeleted', { ruleId: 'r1' }),
        ev('VifDestroyed', {
          vifId: 'vif2',
          vmId: 'vm1',
          networkId: 'vlan10',
          mac: withVifsMac(1),
        }),
        ev('VifDestroyed', { vifId: 'vif3', vmId: 'vm1', networkId: 'priv', mac: withVifsMac(2) }),
        ev('VmDestroyed', { vmId: 'vm1' }),
      ]);
  });

  it('refuses a running VM', () => {
    given([...withVifs, vmStarted('vm1', 'h1')])
      .when(cmd('DestroyVm', { vmId: 'vm1' }))
      .then('VM_NOT_HALTED');
  });
});

function withVifsMac(index: number): string {
  const event = withVifs[lab.length + index];
  if (event?.type !== 'VifCreated') throw new Error('fixture');
  return event.data.mac;
}
