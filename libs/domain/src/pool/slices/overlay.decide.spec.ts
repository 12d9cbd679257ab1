import { describe, expect, it } from 'vitest';
import type { PoolEvent } from '../pool.events.js';
import { deserializePoolState, serializePoolState } from '../pool.snapshot.js';
import { replayPool } from '../pool.decider.js';
import { evolve } from '../pool.evolve.js';
import { initialPoolState } from '../pool.state.js';
import {
  cmd,
  ev,
  given,
  hostJoined,
  lab,
  vifCreated,
  vmCreated,
} from '../testing/pool.fixtures.js';
import { tunnelEndpoints, underlayFigures } from './overlay.decide.js';

const endpoint = (hostId: string, address: string, device = 'eth0') =>
  ev('TunnelEndpointSet', { hostId, device, address });

const overlay = (networkId: string, vni: number, mtu = 1450) =>
  ev('NetworkCreated', { networkId, name: networkId, purpose: 'vm', mtu, kind: 'overlay', vni });

const createOverlay = (networkId = 'ov1', mtu?: number) =>
  cmd('CreateNetwork', {
    networkId,
    name: networkId,
    purpose: 'vm',
    kind: 'overlay',
    ...(mtu === undefined ? {} : { mtu }),
  });

/** The lab's two hosts, each with a tunnel endpoint on its management PIF (MTU 1500). */
const tunnelled: PoolEvent[] = [...lab, endpoint('h1', '192.0.2.1'), endpoint('h2', '192.0.2.2')];

describe('SetTunnelEndpoint', () => {
  it('declares the endpoint on a management PIF', () => {
    given(lab)
      .when(cmd('SetTunnelEndpoint', { hostId: 'h1', device: 'eth0', address: '192.0.2.1' }))
      .then([endpoint('h1', '192.0.2.1')]);
  });

  it('takes a PIF given the tunnel role, and canonical IPv6', () => {
    given([...lab, ev('PifRoleChanged', { hostId: 'h1', device: 'eth2', role: 'tunnel' })])
      .when(cmd('SetTunnelEndpoint', { hostId: 'h1', device: 'eth2', address: '2001:DB8::0:1' }))
      .then([endpoint('h1', '2001:db8::1', 'eth2')]);
  });

  it('refuses a PIF whose role is not management, storage or tunnel', () => {
    const error = given(lab)
      .when(cmd('SetTunnelEndpoint', { hostId: 'h1', device: 'eth1', address: '192.0.2.1' }))
      .then('TUNNEL_PIF_ROLE');
    expect(error.details).toMatchObject({ hostId: 'h1', device: 'eth1', role: 'unused' });
  });

  it("refuses another host's address", () => {
    const error = given([...lab, endpoint('h1', '192.0.2.1')])
      .when(cmd('SetTunnelEndpoint', { hostId: 'h2', device: 'eth0', address: '192.0.2.1' }))
      .then('TUNNEL_ADDRESS_IN_USE');
    expect(error.details).toEqual({ hostId: 'h1', address: '192.0.2.1' });
  });

  it('refuses to clear it while an overlay network exists', () => {
    given([...tunnelled, overlay('ov1', 1)])
      .when(cmd('SetTunnelEndpoint', { hostId: 'h1', device: null, address: null }))
      .then('TUNNEL_ENDPOINT_REQUIRED');
  });

  it("refuses to take the endpoint PIF's tunnel-capable role away, moving management too", () => {
    const onEth2 = [
      ...lab,
      ev('PifRoleChanged', { hostId: 'h1', device: 'eth2', role: 'tunnel' }),
      endpoint('h1', '192.0.2.1', 'eth2'),
    ];
    given(onEth2)
      .when(cmd('SetPifRole', { hostId: 'h1', device: 'eth2', role: 'vm' }))
      .then('TUNNEL_PIF_ROLE');
    given(onEth2)
      .when(cmd('SetPifRole', { hostId: 'h1', device: 'eth2', role: 'storage' }))
      .then([ev('PifRoleChanged', { hostId: 'h1', device: 'eth2', role: 'storage' })]);
    const error = given([...lab, endpoint('h1', '192.0.2.1')])
      .when(cmd('SetPifRole', { hostId: 'h1', device: 'eth1', role: 'management' }))
      .then('TUNNEL_PIF_ROLE');
    expect(error.details).toEqual({ hostId: 'h1', device: 'eth0', role: 'unused' });
  });

  it('refuses an endpoint whose PIF is too small for the overlays there are', () => {
    const smallPif = ev('PifMtuChanged', { hostId: 'h2', device: 'eth0', mtu: 1400 });
    const error = given([...lab, endpoint('h1', '192.0.2.1'), smallPif, overlay('ov1', 1)])
      .when(cmd('SetTunnelEndpoint', { hostId: 'h2', device: 'eth0', address: '192.0.2.2' }))
      .then('OVERLAY_MTU_TOO_LARGE');
    expect(error.details).toMatchObject({ mtu: 1450, hosts: [{ hostId: 'h2', maxMtu: 1350 }] });
  });
});

describe('CreateNetwork kind overlay', () => {
  it('allocates VNI 1 and an MTU of 1450 by default', () => {
    given(tunnelled)
      .when(createOverlay())
      .then([overlay('ov1', 1)]);
  });

  it('never reuses a VNI, even of a destroyed network', () => {
    const history = [
      ...tunnelled,
      overlay('ov1', 1),
      overlay('ov2', 2),
      ev('NetworkDestroyed', { networkId: 'ov2' }),
    ];
    given(history)
      .when(createOverlay('ov3'))
      .then([overlay('ov3', 3)]);
  });

  it('keeps the high-water mark through a snapshot', () => {
    const state = initialPoolState();
    for (const event of [
      ...tunnelled,
      overlay('ov1', 7),
      ev('NetworkDestroyed', { networkId: 'ov1' }),
    ])
      evolve(state, event);
    expect(deserializePoolState(serializePoolState(state)).vniHighWater).toBe(7);
  });

  it('refuses while an enabled host has no tunnel endpoint, naming the hosts', () => {
    const error = given([...lab, endpoint('h1', '192.0.2.1'), hostJoined('h3')])
      .when(createOverlay())
      .then('TUNNEL_ENDPOINT_MISSING');
    expect(error.details).toEqual({ hostIds: ['h2', 'h3'] });
    expect(error.message).toContain('h2, h3');
  });

  it('does not count a disabled host without an endpoint', () => {
    given([...tunnelled, hostJoined('h3'), ev('HostDisabled', { hostId: 'h3' })])
      .when(createOverlay())
      .then([overlay('ov1', 1)]);
  });

  it('refuses an MTU the underlay cannot carry, naming hosts and figures', () => {
    const jumbo = ev('PifMtuChanged', { hostId: 'h1', device: 'eth0', mtu: 9000 });
    const error = given([
      ...tunnelled.slice(0, -2),
      jumbo,
      endpoint('h1', '192.0.2.1'),
      endpoint('h2', '192.0.2.2'),
    ])
      .when(createOverlay('ov1', 1500))
      .then('OVERLAY_MTU_TOO_LARGE');
    expect(error.details).toEqual({
      mtu: 1500,
      hosts: [{ hostId: 'h2', device: 'eth0', underlayMtu: 1500, overhead: 50, maxMtu: 1450 }],
    });
    expect(error.message).toBe(
      'overlay MTU 1500 does not fit the underlay of host(s) h2 (eth0 MTU 1500 − 50 = 1450)',
    );
  });

  it('counts 70 bytes over an IPv6 underlay', () => {
    const error = given([...lab, endpoint('h1', '192.0.2.1'), endpoint('h2', '2001:db8::2')])
      .when(createOverlay('ov1', 1450))
      .then('OVERLAY_MTU_TOO_LARGE');
    expect(error.details).toMatchObject({ hosts: [{ hostId: 'h2', overhead: 70, maxMtu: 1430 }] });
  });

  it('shows the read models the figures it decides on: the headroom is below 0 exactly when refused', () => {
    const state = replayPool([...lab, endpoint('h1', '192.0.2.1'), endpoint('h2', '2001:db8::2')]);
    expect(underlayFigures(1430, tunnelEndpoints(state))).toEqual([
      {
        hostId: 'h1',
        device: 'eth0',
        address: '192.0.2.1',
        underlayMtu: 1500,
        overhead: 50,
        headroom: 20,
      },
      {
        hostId: 'h2',
        device: 'eth0',
        address: '2001:db8::2',
        underlayMtu: 1500,
        overhead: 70,
        headroom: 0,
      },
    ]);
    const history = [...lab, endpoint('h1', '192.0.2.1'), endpoint('h2', '2001:db8::2')];
    given(history)
      .when(createOverlay('ov1', 1430))
      .then([overlay('ov1', 1, 1430)]);
    given(history).when(createOverlay('ov1', 1431)).then('OVERLAY_MTU_TOO_LARGE');
  });

  it('refuses a larger MTU later, and a smaller underlay PIF', () => {
    const history = [...tunnelled, overlay('ov1', 1)];
    given(history)
      .when(cmd('UpdateNetwork', { networkId: 'ov1', mtu: 1451 }))
      .then('OVERLAY_MTU_TOO_LARGE');
    given(history)
      .when(cmd('SetPifMtu', { hostId: 'h2', device: 'eth0', mtu: 1499 }))
      .then('OVERLAY_MTU_TOO_LARGE');
  });

  it('refuses to start a VM on it where the host has no endpoint', () => {
    const history = [
      ...tunnelled,
      overlay('ov1', 1),
      hostJoined('h3'),
      vmCreated('vm2'),
      vifCreated('vif2', 'vm2', 'ov1'),
    ];
    given(history)
      .when(cmd('StartVm', { vmId: 'vm2', hostId: 'h3' }))
      .then('MISSING_UPLINKS');
    given(history)
      .when(cmd('StartVm', { vmId: 'vm2', hostId: 'h2' }))
      .then([ev('VmStarted', { vmId: 'vm2', hostId: 'h2' })]);
  });
});
