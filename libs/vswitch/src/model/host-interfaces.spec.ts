import { describe, expect, it } from 'vitest';
import { MemoryVSwitchDriver } from '../drivers/memory/memory-driver.js';
import { plan } from '../planner/plan.js';
import { reconcile } from '../reconcile.js';
import { managementInterface, topology } from '../testing/topology-builder.js';
import { digest } from './canonical.js';
import { desiredState } from './desired-state.js';
import { uplinkBridgeName } from './naming.js';
import type { PoolTopology, TopologyHostInterface } from './topology.js';

const mgmt = managementInterface;

const withInterfaces = (t: PoolTopology, interfaces: TopologyHostInterface[]): PoolTopology => ({
  ...t,
  hosts: t.hosts.map((h) => (h.id === 'h1' ? { ...h, interfaces } : h)),
});

const base = () =>
  topology().host('h1', ['eth0', 'eth1', 'eth2']).bond('h1', 'bond0', ['eth1', 'eth2']).build();

describe('host interfaces in the desired state', () => {
  it('leaves a host without interfaces as it was (same state, same digest)', () => {
    const state = desiredState(base(), 'h1');
    expect(state).not.toHaveProperty('interfaces');
    expect(digest(state)).toBe(digest(desiredState(withInterfaces(base(), []), 'h1')));
  });

  it("puts an internal interface on its device's uplink bridge, creating the bridge", () => {
    const state = desiredState(withInterfaces(base(), [mgmt({ vlan: 20 })]), 'h1');
    const bridge = uplinkBridgeName('eth0');
    expect(state.uplinks.map((u) => u.bridge)).toContain(bridge);
    expect(state.interfaces).toEqual([
      {
        name: 'mgmt0',
        purpose: 'management',
        device: 'eth0',
        bridge,
        vlan: 20,
        ipv4: { mode: 'static', address: '192.0.2.11/24', gateway: '192.0.2.1' },
        ipv6: { mode: 'none' },
        dns: ['192.0.2.53'],
      },
    ]);
  });

  it('keeps a pif interface on the NIC itself, with no bridge for it', () => {
    const state = desiredState(
      withInterfaces(base(), [mgmt({ name: 'eth0', placement: 'pif' })]),
      'h1',
    );
    expect(state.uplinks).toEqual([]);
    expect(state.interfaces?.[0]).toMatchObject({ name: 'eth0', device: 'eth0' });
    expect(state.interfaces?.[0]).not.toHaveProperty('bridge');
  });
});

describe('host interfaces on the memory datapath', () => {
  it('moves the management address to the bond in one plan, and converges', async () => {
    const driver = new MemoryVSwitchDriver();
    await reconcile(driver, desiredState(withInterfaces(base(), [mgmt()]), 'h1'));
    expect(driver.datapath.interfaces.get('mgmt0')?.bridge).toBe(uplinkBridgeName('eth0'));

    const moved = desiredState(withInterfaces(base(), [mgmt({ device: 'bond0' })]), 'h1');
    const ops = await reconcile(driver, moved);
    expect(ops.map((op) => op.kind)).toEqual([
      'deleteHostInterface',
      'deleteUplink',
      'setUplink',
      'setHostInterface',
    ]);
    expect(driver.datapath.interfaces.get('mgmt0')).toMatchObject({
      device: 'bond0',
      bridge: uplinkBridgeName('bond0'),
      ipv4: { address: '192.0.2.11/24' },
    });
    expect(digest(await driver.readActual())).toBe(digest(moved));
    expect(await reconcile(driver, moved)).toEqual([]);
  });

  it('puts back an address taken off by hand (drift)', async () => {
    const driver = new MemoryVSwitchDriver();
    const desired = desiredState(withInterfaces(base(), [mgmt()]), 'h1');
    await reconcile(driver, desired);
    driver.drift.dropInterfaceAddress('mgmt0');
    expect((await reconcile(driver, desired)).map((op) => op.kind)).toEqual(['setHostInterface']);
    expect(digest(await driver.readActual())).toBe(digest(desired));
  });

  it('writes an internal interface again when its uplink bridge is rebuilt', async () => {
    const driver = new MemoryVSwitchDriver();
    const desired = desiredState(withInterfaces(base(), [mgmt()]), 'h1');
    await reconcile(driver, desired);
    const actual = await driver.readActual();
    const uplink = actual.uplinks.find((u) => u.device === 'eth0')!;
    // As if the uplink read back different (someone re-added the NIC port).
    const ops = plan(desired, { ...actual, uplinks: [{ ...uplink, bridge: 'other' }] });
    expect(ops.map((op) => op.kind)).toContain('setHostInterface');
  });

  it('refuses, as Open vSwitch would strand it, an address on a NIC that is in a bridge', () => {
    const driver = new MemoryVSwitchDriver();
    driver.datapath.apply({
      kind: 'setUplink',
      uplink: { device: 'eth0', bridge: uplinkBridgeName('eth0') },
    });
    expect(() =>
      driver.datapath.apply({
        kind: 'setHostInterface',
        iface: { ...mgmt({ name: 'eth0' }), placement: undefined } as never,
      }),
    ).toThrow(/is in bridge/);
  });
});
