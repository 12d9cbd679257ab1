import { describe, expect, it } from 'vitest';
import { desiredState, digest } from '@pool/vswitch';
import { hostDigest, toTopology } from './index.js';
import { cmd, decideAll } from './testing/random-pool.js';

const pif = (device: string, n: number) => ({
  device,
  mac: `00:16:3e:00:00:0${n}`,
  mtu: 1500,
  speedMbps: 1000,
  carrier: true,
});

/** Two hosts, a bond, tagged, untagged and private networks, two VMs, ACLs, a mirror. */
const labCommands = () => [
  cmd('JoinHost', {
    hostId: 'h1',
    name: 'one',
    address: '192.0.2.1',
    managementDevice: 'eth0',
    pifs: [pif('eth0', 1), pif('eth1', 2), pif('eth2', 3)],
  }),
  cmd('JoinHost', {
    hostId: 'h2',
    name: 'two',
    address: '192.0.2.2',
    managementDevice: 'eth0',
    pifs: [pif('eth0', 4)],
  }),
  cmd('CreateBond', {
    bondId: 'b1',
    hostId: 'h1',
    device: 'bond0',
    members: ['eth1', 'eth2'],
    mode: 'active-backup',
  }),
  cmd('CreateNetwork', {
    networkId: 'n10',
    name: 'ten',
    purpose: 'vm',
    kind: 'external',
    device: 'eth0',
    vlan: 10,
  }),
  cmd('CreateNetwork', {
    networkId: 'flat',
    name: 'flat',
    purpose: 'vm',
    kind: 'external',
    device: 'eth0',
    mtu: 9000,
  }),
  cmd('CreateNetwork', { networkId: 'priv', name: 'priv', purpose: 'vm', kind: 'private' }),
  cmd('CreateVm', { vmId: 'vm1', name: 'web' }),
  cmd('CreateVm', { vmId: 'vm2', name: 'db' }),
  cmd('CreateVif', {
    vifId: 'v1',
    vmId: 'vm1',
    device: 0,
    networkId: 'n10',
    mac: '52:54:00:00:00:01',
    ipv4: '10.0.0.1',
    qos: { ingressKbps: 1000, ingressBurstKb: 100, egressKbps: 0, egressBurstKb: 0 },
    portSecurity: true,
  }),
  cmd('CreateVif', {
    vifId: 'v2',
    vmId: 'vm2',
    device: 0,
    networkId: 'priv',
    mac: '52:54:00:00:00:02',
  }),
  cmd('StartVm', { vmId: 'vm1', hostId: 'h1' }),
  cmd('StartVm', { vmId: 'vm2', hostId: 'h1' }),
  cmd('CreateAclRule', {
    ruleId: 'r1',
    scope: { kind: 'network', networkId: 'n10' },
    direction: 'from-vm',
    priority: 10,
    match: { protocol: 'tcp', cidr: '10.0.0.0/24', portFrom: 22 },
    action: 'drop',
  }),
  cmd('CreateMirror', {
    mirrorId: 'm1',
    source: { kind: 'vif', vifId: 'v1' },
    direction: 'both',
    destinationVifId: 'v2',
  }),
  cmd('RequestMigration', { migrationId: 'g1', vmId: 'vm1', toHostId: 'h2' }),
];
const lab = () => decideAll(labCommands()).state;

describe('toTopology', () => {
  it('maps every entity, turning nulls into absent fields', () => {
    expect(toTopology(lab())).toEqual({
      hosts: [
        {
          id: 'h1',
          name: 'one',
          state: 'enabled',
          pifs: [
            { device: 'eth0', mac: '00:16:3e:00:00:01', mtu: 1500 },
            { device: 'eth1', mac: '00:16:3e:00:00:02', mtu: 1500 },
            { device: 'eth2', mac: '00:16:3e:00:00:03', mtu: 1500 },
          ],
          bonds: [{ device: 'bond0', members: ['eth1', 'eth2'], mode: 'active-backup' }],
        },
        {
          id: 'h2',
          name: 'two',
          state: 'enabled',
          pifs: [{ device: 'eth0', mac: '00:16:3e:00:00:04', mtu: 1500 }],
          bonds: [],
        },
      ],
      networks: [
        { id: 'n10', name: 'ten', mtu: 1500, kind: { type: 'external', device: 'eth0', vlan: 10 } },
        { id: 'flat', name: 'flat', mtu: 9000, kind: { type: 'external', device: 'eth0' } },
        { id: 'priv', name: 'priv', mtu: 1500, kind: { type: 'private' } },
      ],
      vms: [
        { id: 'vm1', name: 'web', powerState: 'running', residentHost: 'h1' },
        { id: 'vm2', name: 'db', powerState: 'running', residentHost: 'h1' },
      ],
      vifs: [
        {
          id: 'v1',
          vmId: 'vm1',
          device: 0,
          networkId: 'n10',
          mac: '52:54:00:00:00:01',
          ipv4: '10.0.0.1',
          qos: { ingressKbps: 1000, ingressBurstKb: 100, egressKbps: 0, egressBurstKb: 0 },
          portSecurity: true,
        },
        {
          id: 'v2',
          vmId: 'vm2',
          device: 0,
          networkId: 'priv',
          mac: '52:54:00:00:00:02',
          portSecurity: false,
        },
      ],
      acls: [
        {
          id: 'r1',
          scope: { networkId: 'n10' },
          direction: 'ingress',
          priority: 10,
          match: { protocol: 'tcp', cidr: '10.0.0.0/24', portFrom: 22, portTo: 22 },
          action: 'drop',
        },
      ],
      mirrors: [{ id: 'm1', source: { vifId: 'v1' }, direction: 'both', destinationVifId: 'v2' }],
      migrations: [{ vmId: 'vm1', fromHost: 'h1', toHost: 'h2', phase: 'requested' }],
      addressSets: [],
      securityGroups: [],
    });
  });

  it("names a rule's direction as the switch sees it: from-vm enters it, to-vm leaves it", () => {
    const { state } = decideAll([
      ...labCommands(),
      cmd('CreateAclRule', {
        ruleId: 'r2',
        scope: { kind: 'network', networkId: 'n10' },
        direction: 'to-vm',
        priority: 10,
        match: { protocol: 'tcp', portFrom: 22 },
        action: 'drop',
      }),
    ]);
    const directions = toTopology(state).acls.map((acl) => [acl.id, acl.direction]);
    expect(directions).toEqual([
      ['r1', 'ingress'],
      ['r2', 'egress'],
    ]);
  });

  it('gives a halted VM no resident host and a cleared field no value', () => {
    const { state } = decideAll([cmd('CreateVm', { vmId: 'vm1', name: 'idle' })]);
    expect(toTopology(state).vms).toEqual([{ id: 'vm1', name: 'idle', powerState: 'halted' }]);
  });
});

describe('a reset host (ResetHostNetworking)', () => {
  it('keeps its management address, on the NIC itself, with no bridge taking the NIC', () => {
    const { state } = decideAll([
      ...labCommands(),
      cmd('ConfigureHostInterface', {
        hostId: 'h1',
        name: 'mgmt0',
        purpose: 'management',
        device: 'eth0',
        vlan: 20,
        ipv4: { mode: 'static', address: '192.0.2.11/24', gateway: '192.0.2.1' },
      }),
      cmd('ResetHostNetworking', { hostId: 'h1' }),
    ]);
    const desired = desiredState(toTopology(state), 'h1');
    expect(desired.interfaces).toEqual([
      expect.objectContaining({ name: 'mgmt0', device: 'eth0', vlan: undefined }),
    ]);
    expect(desired.interfaces?.[0]).not.toHaveProperty('bridge');
    expect(desired.uplinks.map((u) => u.device)).not.toContain('eth0');
  });
});

describe('hostDigest', () => {
  it('is the digest of the desired state derived from the whole pool', () => {
    const state = lab();
    for (const host of ['h1', 'h2', 'unknown']) {
      expect(hostDigest(state, host)).toBe(digest(desiredState(toTopology(state), host)));
    }
  });

  it('differs between hosts that carry different ports, and follows the log', () => {
    const state = lab();
    const before = hostDigest(state, 'h2');
    expect(before).not.toBe(hostDigest(state, 'h1'));
    const { state: activated } = decideAll([
      ...labCommands(),
      cmd('PrepareMigration', { migrationId: 'g1' }),
      cmd('ActivateMigration', { migrationId: 'g1' }),
    ]);
    // h2's pending port starts forwarding once the migration is activated.
    expect(hostDigest(activated, 'h2')).not.toBe(before);
    expect(hostDigest(activated, 'h2')).toBe(digest(desiredState(toTopology(activated), 'h2')));
  });
});
