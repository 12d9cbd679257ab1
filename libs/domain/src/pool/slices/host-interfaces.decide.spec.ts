import { describe, expect, it } from 'vitest';
import type { ConfigureHostInterface } from '../pool.commands.js';
import type { PoolEvent } from '../pool.events.js';
import { deserializePoolState, serializePoolState } from '../pool.snapshot.js';
import { evolve } from '../pool.evolve.js';
import { initialPoolState } from '../pool.state.js';
import type { HostInterface } from '../pool.types.js';
import { cmd, ev, external, given, lab } from '../testing/pool.fixtures.js';

type Data = ConfigureHostInterface['data'];

const mgmtData: Data = {
  hostId: 'h1',
  name: 'mgmt0',
  purpose: 'management',
  device: 'eth0',
  ipv4: { mode: 'static', address: '192.0.2.11/24', gateway: '192.0.2.1' },
  dns: ['192.0.2.53'],
};

const configure = (data: Partial<Data> = {}) =>
  cmd('ConfigureHostInterface', { ...mgmtData, ...data });

const stored = (data: Partial<HostInterface> = {}): HostInterface => ({
  name: 'mgmt0',
  purpose: 'management',
  device: 'eth0',
  vlan: null,
  placement: 'internal',
  ipv4: { mode: 'static', address: '192.0.2.11/24', gateway: '192.0.2.1' },
  ipv6: { mode: 'none' },
  dns: ['192.0.2.53'],
  ...data,
});

const configured = (i: HostInterface, hostId = 'h1', replaces: string | null = null) =>
  ev('HostInterfaceConfigured', { hostId, interface: i, replaces });

/** VLAN 30 on eth0, h1's management NIC. */
const vlan30OnEth0 = cmd('CreateNetwork', {
  networkId: 'v30',
  name: 'v30',
  purpose: 'vm',
  kind: 'external',
  device: 'eth0',
  vlan: 30,
});

/** h1's management address on eth0 itself, outside every bridge. */
const onNic = stored({ name: 'eth0', placement: 'pif' });
const withNicAddress: PoolEvent[] = [...lab, configured(onNic)];

describe('ConfigureHostInterface', () => {
  it('records a static management interface on an internal port, defaults filled in', () => {
    given(lab)
      .when(configure())
      .then([configured(stored())]);
  });

  it('moves the management interface to a VLAN in one event, address and all', () => {
    const moved = stored({ device: 'eth1', vlan: 20, ipv4: { mode: 'dhcp' }, dns: [] });
    given([...lab, configured(stored())])
      .when(configure({ device: 'eth1', vlan: 20, ipv4: { mode: 'dhcp' }, dns: [] }))
      .then([configured(moved)]);
  });

  it('moves it onto a bond', () => {
    const bond = ev('BondCreated', {
      bondId: 'b1',
      hostId: 'h1',
      device: 'bond0',
      members: ['eth1', 'eth2'],
      mode: 'active-backup',
    });
    given([...lab, configured(stored()), bond])
      .when(configure({ device: 'bond0' }))
      .then([configured(stored({ device: 'bond0' }))]);
  });

  it('takes static IPv6 with a link-local gateway, canonical', () => {
    given(lab)
      .when(
        configure({
          ipv4: { mode: 'none' },
          ipv6: { mode: 'static', address: '2001:DB8::0:11/64', gateway: 'fe80::1' },
          dns: [],
        }),
      )
      .then([
        configured(
          stored({
            ipv4: { mode: 'none' },
            ipv6: { mode: 'static', address: '2001:db8::11/64', gateway: 'fe80::1' },
            dns: [],
          }),
        ),
      ]);
  });

  it('changes nothing when sent again', () => {
    given([...lab, configured(stored())])
      .when(configure())
      .then([]);
  });

  it('refuses a second management interface on the host', () => {
    const error = given([...lab, configured(stored())])
      .when(configure({ name: 'mgmt1', device: 'eth2', ipv4: { mode: 'dhcp' }, dns: [] }))
      .then('MANAGEMENT_INTERFACE_EXISTS');
    expect(error.details).toEqual({ hostId: 'h1', name: 'mgmt0' });
  });

  it('refuses to turn the management interface into a storage one', () => {
    given([...lab, configured(stored())])
      .when(configure({ purpose: 'storage', ipv4: { mode: 'dhcp' }, dns: [] }))
      .then('MANAGEMENT_INTERFACE_REQUIRED');
  });

  it.each([
    ['a gateway outside the subnet', { address: '192.0.2.11/24', gateway: '198.51.100.1' }],
    ['the address itself as gateway', { address: '192.0.2.11/24', gateway: '192.0.2.11' }],
  ])('refuses %s', (_, ipv4) => {
    given(lab)
      .when(configure({ ipv4: { mode: 'static', ...ipv4 } }))
      .then('GATEWAY_OUTSIDE_SUBNET');
  });

  it.each([
    ['no prefix', '192.0.2.11'],
    ['prefix 0', '192.0.2.11/0'],
    ['prefix 33', '192.0.2.11/33'],
    ['the network address', '192.0.2.0/24'],
    ['the broadcast address', '192.0.2.255/24'],
  ])('refuses a static IPv4 address with %s', (_, address) => {
    given(lab)
      .when(configure({ ipv4: { mode: 'static', address, gateway: null } }))
      .then('INVALID_IP_CONFIG');
  });

  it('refuses an address in a dhcp mode, and an unknown mode', () => {
    given(lab)
      .when(configure({ ipv4: { mode: 'dhcp', address: '192.0.2.11/24' } }))
      .then('INVALID_IP_CONFIG');
    given(lab)
      .when(configure({ ipv4: { mode: 'autoconf' } }))
      .then('INVALID_OPTION');
  });

  it('refuses an interface with no address at all', () => {
    given(lab)
      .when(configure({ ipv4: { mode: 'none' }, dns: [] }))
      .then('INTERFACE_WITHOUT_ADDRESS');
  });

  it('refuses a gateway or DNS servers on a storage interface', () => {
    given(lab)
      .when(configure({ name: 'stor0', purpose: 'storage', device: 'eth2' }))
      .then('MANAGEMENT_ONLY_SETTING');
  });

  it("refuses an address another host's interface holds", () => {
    const error = given([...lab, configured(stored())])
      .when(configure({ hostId: 'h2' }))
      .then('HOST_ADDRESS_IN_USE');
    expect(error.details).toEqual({ hostId: 'h1', name: 'mgmt0' });
  });

  it('refuses a name that is a device of the host, or a switch name', () => {
    given(lab)
      .when(configure({ name: 'eth1' }))
      .then('DEVICE_IN_USE');
    given(lab)
      .when(configure({ name: 'pnu-x' }))
      .then('INVALID_DEVICE');
  });

  it('refuses a device the host lacks and a bond member', () => {
    given(lab)
      .when(configure({ device: 'eth9' }))
      .then('PIF_NOT_FOUND');
    const bond = ev('BondCreated', {
      bondId: 'b1',
      hostId: 'h1',
      device: 'bond0',
      members: ['eth1', 'eth2'],
      mode: 'active-backup',
    });
    given([...lab, bond])
      .when(configure({ device: 'eth1' }))
      .then('PIF_ALREADY_BONDED');
  });

  it('puts the address on an unbridged PIF itself, and refuses a bridged one', () => {
    given(lab)
      .when(configure({ name: 'eth0', placement: 'pif' }))
      .then([configured(onNic)]);
    const error = given(lab)
      .when(configure({ name: 'eth1', device: 'eth1', placement: 'pif' }))
      .then('NIC_BRIDGED');
    expect(error.details).toEqual({ hostId: 'h1', device: 'eth1', reason: 'network lan' });
  });
});

describe('the management NIC guard', () => {
  it('refuses a VLAN network on the NIC holding a management address, naming host and NIC', () => {
    const error = given(withNicAddress).when(vlan30OnEth0).then('MANAGEMENT_NIC_BRIDGED');
    expect(error.message).toContain('eth0 of host h1');
    expect(error.details).toMatchObject({ hostIds: ['h1'], device: 'eth0' });
  });

  it('refuses a bond taking the NIC holding a management address', () => {
    const error = given(withNicAddress)
      .when(
        cmd('CreateBond', {
          bondId: 'b1',
          hostId: 'h1',
          device: 'bond0',
          members: ['eth0', 'eth2'],
          mode: 'active-backup',
        }),
      )
      .then('MANAGEMENT_NIC_BRIDGED');
    expect(error.details).toMatchObject({ hostIds: ['h1'], device: 'eth0' });
  });

  it('refuses a VLAN interface bridging that NIC, and a tunnel endpoint on it', () => {
    given(withNicAddress)
      .when(
        configure({
          name: 'stor0',
          purpose: 'storage',
          vlan: 40,
          ipv4: { mode: 'dhcp' },
          dns: [],
        }),
      )
      .then('MANAGEMENT_NIC_BRIDGED');
    given(withNicAddress)
      .when(cmd('SetTunnelEndpoint', { hostId: 'h1', device: 'eth0', address: '192.0.2.11' }))
      .then('MANAGEMENT_NIC_BRIDGED');
  });

  it('moves the management address off the NIC onto its bridge under a new name, in one event', () => {
    // The address stays: the interface on eth0 itself goes as the internal port takes it over.
    const internal = stored({ name: 'mgmt0', placement: 'internal' });
    given(withNicAddress)
      .when(configure({ name: 'mgmt0', placement: 'internal', replaces: 'eth0' }))
      .then([configured(internal, 'h1', 'eth0')]);
    // Then the NIC may go into a bridge: the bridge carries the management address.
    given([...withNicAddress, configured(internal, 'h1', 'eth0')])
      .when(vlan30OnEth0)
      .then([external('v30', 'eth0', 30)]);
  });

  it('says how to move the NIC-held management interface when asked without replaces', () => {
    const error = given(withNicAddress)
      .when(configure({ name: 'mgmt0', placement: 'internal' }))
      .then('MANAGEMENT_INTERFACE_EXISTS');
    expect(error.message).toContain('replaces');
    given(withNicAddress)
      .when(configure({ name: 'eth0', placement: 'internal' }))
      .then('DEVICE_IN_USE');
  });

  it('refuses replacing an unknown interface, itself, another purpose, or by one that exists', () => {
    given(withNicAddress)
      .when(configure({ name: 'mgmt0', replaces: 'eth9' }))
      .then('HOST_INTERFACE_NOT_FOUND');
    given(withNicAddress)
      .when(configure({ name: 'eth0', placement: 'pif', replaces: 'eth0' }))
      .then('INVALID_OPTION');
    const storage = stored({
      name: 'stor0',
      purpose: 'storage',
      device: 'eth2',
      ipv4: { mode: 'static', address: '198.51.100.11/24', gateway: null },
      dns: [],
    });
    given([...withNicAddress, configured(storage)])
      .when(configure({ name: 'mgmt0', replaces: 'stor0' }))
      .then('INVALID_OPTION');
    given([...withNicAddress, configured(storage)])
      .when(
        configure({
          name: 'stor0',
          purpose: 'storage',
          device: 'eth2',
          ipv4: { mode: 'static', address: '198.51.100.12/24', gateway: null },
          dns: [],
          replaces: 'eth0',
        }),
      )
      .then('INVALID_OPTION');
  });

  it('refuses a storage address on the NIC with STORAGE_NIC_BRIDGED', () => {
    const storage = stored({
      name: 'eth2',
      purpose: 'storage',
      device: 'eth2',
      placement: 'pif',
      ipv4: { mode: 'static', address: '198.51.100.11/24', gateway: null },
      dns: [],
    });
    given([...lab, configured(storage)])
      .when(
        cmd('CreateNetwork', {
          networkId: 'san',
          name: 'san',
          purpose: 'storage',
          kind: 'external',
          device: 'eth2',
        }),
      )
      .then('STORAGE_NIC_BRIDGED');
  });

  it('lets a network share the NIC of an internal management interface (the bridge carries it)', () => {
    given([...lab, configured(stored())])
      .when(vlan30OnEth0)
      .then([external('v30', 'eth0', 30)]);
  });

  it('does not guard a host without a configured management interface', () => {
    given(lab)
      .when(vlan30OnEth0)
      .then([external('v30', 'eth0', 30)]);
  });

  it('carries internal interfaces of bond members to the bond, and back when it goes', () => {
    const onEth2 = stored({ device: 'eth2' });
    const bondCreated = ev('BondCreated', {
      bondId: 'b1',
      hostId: 'h1',
      device: 'bond0',
      members: ['eth2', 'eth0'],
      mode: 'active-backup',
    });
    given([...lab, configured(onEth2)])
      .when(
        cmd('CreateBond', {
          bondId: 'b1',
          hostId: 'h1',
          device: 'bond0',
          members: ['eth2', 'eth0'],
          mode: 'active-backup',
        }),
      )
      .then([bondCreated, configured(stored({ device: 'bond0' }))]);
    given([...lab, configured(onEth2), bondCreated, configured(stored({ device: 'bond0' }))])
      .when(cmd('DestroyBond', { bondId: 'b1' }))
      .then([
        ev('BondDestroyed', { bondId: 'b1', hostId: 'h1', device: 'bond0' }),
        configured(onEth2),
      ]);
  });
});

describe('RemoveHostInterface', () => {
  const storage = stored({
    name: 'stor0',
    purpose: 'storage',
    device: 'eth2',
    ipv4: { mode: 'dhcp' },
    dns: [],
  });

  it('removes a storage interface', () => {
    given([...lab, configured(storage)])
      .when(cmd('RemoveHostInterface', { hostId: 'h1', name: 'stor0' }))
      .then([ev('HostInterfaceRemoved', { hostId: 'h1', name: 'stor0' })]);
  });

  it('refuses to remove the management interface, and an unknown one', () => {
    given([...lab, configured(stored())])
      .when(cmd('RemoveHostInterface', { hostId: 'h1', name: 'mgmt0' }))
      .then('MANAGEMENT_INTERFACE_REQUIRED');
    given(lab)
      .when(cmd('RemoveHostInterface', { hostId: 'h1', name: 'stor0' }))
      .then('HOST_INTERFACE_NOT_FOUND');
  });
});

describe('pool-state/7 snapshots', () => {
  it('keep host interfaces, and read a /6 snapshot as one without any', () => {
    const state = [...lab, configured(stored())].reduce(evolve, initialPoolState());
    const snapshot = serializePoolState(state);
    expect(snapshot.version).toBe('pool-state/7');
    expect(deserializePoolState(snapshot).hosts.get('h1')?.interfaces).toEqual([stored()]);
    const v6 = {
      ...snapshot,
      version: 'pool-state/6',
      hosts: snapshot.hosts.map(({ interfaces: _, ...host }) => host),
    };
    expect(deserializePoolState(v6).hosts.get('h1')?.interfaces).toEqual([]);
  });
});
