import { describe, expect, it } from 'vitest';
import { MemoryVSwitchDriver } from '../drivers/memory/memory-driver.js';
import { reconcile } from '../reconcile.js';
import { topology, type TopologyBuilder } from '../testing/topology-builder.js';
import { digest } from './canonical.js';
import { desiredState } from './desired-state.js';
import { bridgeName, tunnelPortName, uplinkBridgeName } from './naming.js';

const ADDRESS = { h1: '192.0.2.1', h2: '192.0.2.2', h3: '192.0.2.3', h4: '192.0.2.4' };
type HostId = keyof typeof ADDRESS;

/** Four hosts with endpoints on eth0; overlay `ov` (VNI 7) with a VM on h1, h2 and h3. */
function pool(): TopologyBuilder {
  const t = topology().overlay('ov', 7);
  for (const [host, address] of Object.entries(ADDRESS)) t.host(host).tunnel(host, address);
  return t
    .vm('a', 'h1')
    .vif('va', 'a', 'ov')
    .vm('b', 'h2')
    .vif('vb', 'b', 'ov')
    .vm('c', 'h3')
    .vif('vc', 'c', 'ov');
}

const tunnelsOf = (t: TopologyBuilder, host: HostId) =>
  desiredState(t.build(), host)
    .bridges.find((b) => b.networkId === 'ov')
    ?.tunnels?.map((tunnel) => tunnel.remoteHost)
    .sort();

describe('overlay networks in the desired state', () => {
  it('meshes the hosts that carry the network, each to every other, with no centre', () => {
    expect(tunnelsOf(pool(), 'h1')).toEqual(['h2', 'h3']);
    expect(tunnelsOf(pool(), 'h2')).toEqual(['h1', 'h3']);
    expect(tunnelsOf(pool(), 'h3')).toEqual(['h1', 'h2']);
    // h4 runs no VM of it: no bridge, and no one tunnels to it.
    expect(desiredState(pool().build(), 'h4').bridges).toEqual([]);
  });

  it('writes each tunnel from the endpoints, keyed by the VNI, out of the endpoint uplink', () => {
    const state = desiredState(pool().build(), 'h1');
    expect(state.uplinks.map((u) => u.bridge)).toEqual([uplinkBridgeName('eth0')]);
    const bridge = state.bridges[0]!;
    expect(bridge.name).toBe(bridgeName('ov'));
    expect(bridge.tunnels?.find((t) => t.remoteHost === 'h2')).toEqual({
      name: tunnelPortName('ov', 'h2'),
      remoteHost: 'h2',
      remoteIp: ADDRESS.h2,
      localIp: ADDRESS.h1,
      vni: 7,
    });
  });

  it('puts every tunnel in the digest a host reports, so a check by digest covers the mesh', () => {
    const state = desiredState(pool().build(), 'h1');
    const bridge = state.bridges[0]!;
    const without = { ...state, bridges: [{ ...bridge, tunnels: bridge.tunnels!.slice(1) }] };
    const moved = structuredClone(state);
    moved.bridges[0]!.tunnels![0]!.remoteIp = '192.0.2.99';
    const digests = new Set([digest(state), digest(without), digest(moved)]);
    expect(digests.size).toBe(3);
  });

  it('prepares the target of a migration before it forwards, on every host of the mesh', () => {
    const moving = pool().migrate('c', 'h3', 'h4', 'requested');
    expect(tunnelsOf(moving, 'h1')).toEqual(['h2', 'h3', 'h4']);
    expect(tunnelsOf(moving, 'h4')).toEqual(['h1', 'h2', 'h3']);
    const target = desiredState(moving.build(), 'h4').bridges[0]!;
    expect(target.ports.map((p) => p.forwarding)).toEqual([false]);
  });

  it('drops an ejected host from every mesh, and a host without an endpoint carries none', () => {
    const built = pool().build();
    built.hosts.find((h) => h.id === 'h3')!.state = 'ejected';
    const remotes = (host: HostId) =>
      desiredState(built, host).bridges[0]?.tunnels?.map((x) => x.remoteHost);
    expect(remotes('h1')).toEqual(['h2']);
    expect(desiredState(built, 'h3').bridges).toEqual([]);
    const noEndpoint = pool().build();
    delete noEndpoint.hosts.find((h) => h.id === 'h2')!.tunnel;
    expect(desiredState(noEndpoint, 'h2').bridges).toEqual([]);
    expect(desiredState(noEndpoint, 'h1').bridges[0]?.tunnels?.map((x) => x.remoteHost)).toEqual([
      'h3',
    ]);
  });
});

describe('overlay networks on the memory datapath', () => {
  it('floods from a VM once to each other host, and from a tunnel to no other host', async () => {
    const driver = new MemoryVSwitchDriver();
    const desired = desiredState(pool().vm('a2', 'h1').vif('va2', 'a2', 'ov').build(), 'h1');
    await reconcile(driver, desired);
    const bridge = bridgeName('ov');
    const [vm] = desired.bridges[0]!.ports.map((p) => p.name);
    expect(driver.datapath.floodRemotes(bridge, vm!).sort()).toEqual(['h2', 'h3']);
    expect(driver.datapath.floodRemotes(bridge, tunnelPortName('ov', 'h2'))).toEqual([]);
  });

  it('puts back a tunnel deleted by hand, and nothing else', async () => {
    const driver = new MemoryVSwitchDriver();
    const desired = desiredState(pool().build(), 'h1');
    await reconcile(driver, desired);
    driver.drift.deletePort(tunnelPortName('ov', 'h3'));
    const repair = await reconcile(driver, desired);
    expect(repair.map((op) => op.kind)).toEqual(['setBridgeTunnels']);
    expect(await reconcile(driver, desired)).toEqual([]);
  });

  it('removes the tunnel to a host that no longer carries the network', async () => {
    const driver = new MemoryVSwitchDriver();
    await reconcile(driver, desiredState(pool().build(), 'h1'));
    const t = topology().overlay('ov', 7);
    for (const [host, address] of Object.entries(ADDRESS)) t.host(host).tunnel(host, address);
    const without = t.vm('a', 'h1').vif('va', 'a', 'ov').vm('b', 'h2').vif('vb', 'b', 'ov');
    const ops = await reconcile(driver, desiredState(without.build(), 'h1'));
    expect(ops).toMatchObject([{ kind: 'setBridgeTunnels', stale: [tunnelPortName('ov', 'h3')] }]);
  });
});
