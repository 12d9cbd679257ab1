import { describe, expect, it } from 'vitest';
import { MemoryVSwitchDriver } from '../drivers/memory/memory-driver.js';
import { reconcile } from '../reconcile.js';
import { topology, type TopologyBuilder } from '../testing/topology-builder.js';
import { desiredState } from './desired-state.js';
import { mirrorRealisations, mirrorTunnelKey } from './mirror-legs.js';
import { bridgeName, mirrorTunnelPortName, portName, uplinkBridgeName } from './naming.js';
import { PolicyIndex } from './policy.js';

const ADDRESS = { h1: '192.0.2.1', h2: '192.0.2.2', h3: '192.0.2.3' };
type HostId = keyof typeof ADDRESS;

/** Monitor `tap` on h1 (network `mon`), source `web` on h2 (network `p`), mirror `m` of `w`. */
function pool(): TopologyBuilder {
  const t = topology().private('p').private('mon');
  for (const [host, address] of Object.entries(ADDRESS)) t.host(host).tunnel(host, address);
  return t
    .vm('tap', 'h1')
    .vif('t', 'tap', 'mon')
    .vm('web', 'h2')
    .vif('w', 'web', 'p')
    .mirror('m', { vifId: 'w' }, 't', 'both');
}

const realise = (t: TopologyBuilder) => {
  const built = t.build();
  return mirrorRealisations(built, new PolicyIndex(built));
};
const bridgeOn = (t: TopologyBuilder, host: HostId, network: string) =>
  desiredState(t.build(), host).bridges.find((b) => b.networkId === network);

describe('cross-host mirrors in the desired state', () => {
  it('carries a source on another host to the monitor over a GRE leg keyed per mirror and network', () => {
    const [m] = realise(pool());
    expect(m).toEqual({
      mirrorId: 'm',
      state: 'active',
      monitorHost: 'h1',
      monitorVifId: 't',
      legs: [
        {
          sourceHost: 'h2',
          networkId: 'p',
          vifIds: ['w'],
          via: 'tunnel',
          key: mirrorTunnelKey('m', 'p'),
        },
      ],
      problems: [],
    });
    const key = mirrorTunnelKey('m', 'p');
    // The source host mirrors w's port into its GRE port towards h1 ...
    const send = mirrorTunnelPortName('m', 'p', 'h1');
    expect(bridgeOn(pool(), 'h2', 'p')).toMatchObject({
      mirrorTunnels: [
        {
          name: send,
          mirrorId: 'm',
          remoteHost: 'h1',
          remoteIp: ADDRESS.h1,
          localIp: ADDRESS.h2,
          key,
        },
      ],
      mirrors: [{ mirrorId: 'm', sourcePorts: [portName('w')], outputPort: send }],
    });
    expect(bridgeOn(pool(), 'h2', 'p')?.mirrorTunnels?.[0]?.deliverTo).toBeUndefined();
    // ... and the monitor's host delivers what arrives on the matching port to t's port only.
    expect(bridgeOn(pool(), 'h1', 'mon')).toMatchObject({
      mirrors: [],
      mirrorTunnels: [
        {
          name: mirrorTunnelPortName('m', 'p', 'h2'),
          remoteIp: ADDRESS.h2,
          localIp: ADDRESS.h1,
          key,
          deliverTo: portName('t'),
        },
      ],
    });
    // The tunnels leave through the endpoint's uplink bridge on both hosts; h3 has nothing.
    for (const host of ['h1', 'h2'] as const) {
      expect(desiredState(pool().build(), host).uplinks.map((u) => u.bridge)).toEqual([
        uplinkBridgeName('eth0'),
      ]);
    }
    expect(desiredState(pool().build(), 'h3').bridges).toEqual([]);
  });

  it('keeps a same-host, same-network mirror a plain local mirror, with no tunnel', () => {
    const t = pool().vm('db', 'h1').vif('d', 'db', 'mon').mirror('local', { vifId: 'd' }, 't');
    const local = realise(t).find((r) => r.mirrorId === 'local');
    expect(local).toMatchObject({ state: 'active', legs: [{ sourceHost: 'h1', via: 'local' }] });
    expect(bridgeOn(t, 'h1', 'mon')?.mirrors).toEqual([
      expect.objectContaining({ mirrorId: 'local', outputPort: portName('t') }),
    ]);
  });

  it('follows the source VM when it migrates: the leg moves from h2 to h3', () => {
    const moved = pool().edit((t) => {
      t.vms.find((vm) => vm.id === 'web')!.residentHost = 'h3';
    });
    expect(realise(moved)[0]?.legs).toEqual([
      expect.objectContaining({ sourceHost: 'h3', via: 'tunnel' }),
    ]);
    expect(bridgeOn(moved, 'h3', 'p')?.mirrorTunnels?.[0]).toMatchObject({ remoteHost: 'h1' });
    expect(bridgeOn(moved, 'h1', 'mon')?.mirrorTunnels?.map((x) => x.remoteHost)).toEqual(['h3']);
    expect(desiredState(moved.build(), 'h2').bridges).toEqual([]);
    // Mid-migration the leg is where the source's port forwards: h2 until prepared.
    const requested = pool().migrate('web', 'h2', 'h3', 'requested');
    expect(realise(requested)[0]?.legs.map((l) => l.sourceHost)).toEqual(['h2']);
    const activated = pool().migrate('web', 'h2', 'h3', 'activated');
    expect(realise(activated)[0]?.legs.map((l) => l.sourceHost)).toEqual(['h3']);
  });

  it('follows the monitor VM when it migrates, and onto the source host it goes local if it can', () => {
    const toH3 = pool().migrate('tap', 'h1', 'h3', 'activated');
    expect(realise(toH3)[0]).toMatchObject({ state: 'active', monitorHost: 'h3' });
    expect(bridgeOn(toH3, 'h2', 'p')?.mirrorTunnels?.[0]).toMatchObject({
      remoteHost: 'h3',
      remoteIp: ADDRESS.h3,
    });
    const mid = pool().migrate('tap', 'h1', 'h3', 'prepared');
    expect(realise(mid)[0]).toMatchObject({
      state: 'inactive',
      problems: [{ code: 'MONITOR_NOT_FORWARDING' }],
    });
    expect(bridgeOn(mid, 'h2', 'p')?.mirrors).toEqual([]);
  });

  it('says why a mirror is not realised, never leaving it silently out', () => {
    const halted = pool().edit((t) => {
      const vm = t.vms.find((v) => v.id === 'tap')!;
      vm.powerState = 'halted';
      delete vm.residentHost;
    });
    expect(realise(halted)[0]).toMatchObject({
      state: 'inactive',
      problems: [{ code: 'MONITOR_HALTED', message: 'monitor VM tap is halted' }],
    });
    const noSource = pool().edit((t) => {
      t.vms.find((v) => v.id === 'web')!.powerState = 'halted';
    });
    expect(realise(noSource)[0]).toMatchObject({ problems: [{ code: 'NO_SOURCE' }] });
    const noEndpoint = pool().edit((t) => delete t.hosts.find((h) => h.id === 'h2')!.tunnel);
    expect(realise(noEndpoint)[0]).toMatchObject({
      state: 'inactive',
      problems: [{ code: 'NO_TUNNEL_ENDPOINT', host: 'h2' }],
    });
    expect(bridgeOn(noEndpoint, 'h2', 'p')?.mirrors).toEqual([]);
    expect(bridgeOn(noEndpoint, 'h1', 'mon')?.mirrorTunnels).toBeUndefined();
  });

  it('reports a mirror partial when some sources are copied and others cannot be', () => {
    const t = pool()
      .vm('other', 'h1')
      .vif('o', 'other', 'p')
      .group('g', ['w', 'o'])
      .mirror('mg', { groupId: 'g' }, 't');
    expect(realise(t).find((r) => r.mirrorId === 'mg')).toMatchObject({
      state: 'partial',
      legs: [{ sourceHost: 'h2', via: 'tunnel' }],
      problems: [{ code: 'SOURCE_ON_OTHER_NETWORK', host: 'h1' }],
    });
  });

  it('converges the memory datapath, which delivers each copy to the monitor and only there', async () => {
    const drivers = { h1: new MemoryVSwitchDriver(), h2: new MemoryVSwitchDriver() };
    for (const host of ['h1', 'h2'] as const) {
      await reconcile(drivers[host], desiredState(pool().build(), host));
    }
    const copies = drivers.h2.datapath.mirrorCopies(portName('w'), 'ingress');
    expect(copies).toEqual([{ remoteIp: ADDRESS.h1, key: mirrorTunnelKey('m', 'p') }]);
    const [copy] = copies as { remoteIp: string; key: number }[];
    expect(drivers.h1.datapath.mirrorDelivery(ADDRESS.h2, copy!.key)).toBe(portName('t'));
    expect(drivers.h1.datapath.mirrorDelivery(ADDRESS.h3, copy!.key)).toBeUndefined();
    expect(drivers.h1.datapath.mirrorDelivery(ADDRESS.h2, copy!.key + 1)).toBeUndefined();
    // Read back equal: a second pass plans nothing on either host.
    for (const host of ['h1', 'h2'] as const) {
      const again = await reconcile(drivers[host], desiredState(pool().build(), host));
      expect(again).toEqual([]);
    }
    // A tunnel lost by hand comes back on the next pass.
    drivers.h1.datapath.removePort(mirrorTunnelPortName('m', 'p', 'h2'));
    const repaired = await reconcile(drivers.h1, desiredState(pool().build(), 'h1'));
    expect(repaired).toEqual([
      expect.objectContaining({ kind: 'setMirrorTunnels', bridge: bridgeName('mon') }),
    ]);
  });
});
