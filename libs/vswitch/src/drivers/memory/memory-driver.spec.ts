import { describe, expect, it } from 'vitest';
import { desiredState } from '../../model/desired-state.js';
import { bridgeName, portName, uplinkBridgeName } from '../../model/naming.js';
import { reconcile, reconcileFully } from '../../reconcile.js';
import { topology } from '../../testing/topology-builder.js';
import { MemoryVSwitchDriver } from './memory-driver.js';

const add = { kind: 'addPort', port: 'p', vifId: 'v', vmId: 'vm' } as const;
const bridge = (name: string) =>
  ({ kind: 'createBridge', bridge: name, networkId: name, mtu: 1500 }) as const;

describe('MemoryVSwitchDriver', () => {
  it('refuses what Open vSwitch refuses', async () => {
    const driver = new MemoryVSwitchDriver();
    await expect(driver.apply([{ ...add, bridge: 'missing' }])).rejects.toThrow('no bridge');
    await driver.apply([bridge('a'), bridge('b'), { ...add, bridge: 'a' }]);
    await expect(driver.apply([{ ...add, bridge: 'b' }])).rejects.toThrow('is on a');
    await expect(driver.apply([bridge('p')])).rejects.toThrow('taken by a port');
  });

  it('names the ports without a device as its read-back marks them unplugged', async () => {
    const driver = new MemoryVSwitchDriver();
    await driver.apply([bridge('a'), bridge('b'), { ...add, bridge: 'a' }]);
    await driver.apply([{ ...add, port: 'q', bridge: 'b' }]);
    driver.devices.unplug('q');
    driver.devices.unplug('gone'); // absent, but no port of that name: not reported
    const marked = (await driver.readActual()).bridges
      .flatMap((b) => b.ports)
      .filter((p) => p.plugged === false)
      .map((p) => p.name);
    expect(marked).toEqual(['q']);
    expect(driver.unpluggedPorts()).toEqual(marked);
    driver.devices.plug('q');
    expect(driver.unpluggedPorts()).toEqual([]);
  });

  it('creates ports pending and resets a re-added port to pending', async () => {
    const driver = new MemoryVSwitchDriver();
    await driver.apply([bridge('a'), { ...add, bridge: 'a' }]);
    await driver.apply([{ kind: 'setPortForwarding', bridge: 'a', port: 'p', forwarding: true }]);
    await driver.apply([{ ...add, bridge: 'a' }]);
    const [port] = (await driver.readActual()).bridges[0]?.ports ?? [];
    expect(port?.forwarding).toBe(false);
  });

  it('records the announcements a port sends when it starts forwarding', async () => {
    const t = topology().host('h1').private('p').vm('vm', 'h1');
    t.vif('v', 'vm', 'p', { mac: '02:00:00:00:00:07', ipv4: '10.0.0.7' });
    const driver = new MemoryVSwitchDriver();
    await reconcile(driver, desiredState(t.build(), 'h1'));
    expect(driver.announcements).toEqual([
      {
        port: portName('v'),
        address: { mac: '02:00:00:00:00:07', ipv4: '10.0.0.7' },
        at: expect.any(Number),
      },
    ]);
    await reconcile(driver, desiredState(t.build(), 'h1'));
    expect(driver.announcements).toHaveLength(1); // a port that keeps forwarding stays quiet
    await expect(
      driver.apply([
        { kind: 'announcePort', bridge: 'nope', port: 'x', address: { mac: '02:00:00:00:00:01' } },
      ]),
    ).rejects.toThrow('no bridge');
  });

  it('reports a bridge uplink only while its uplink exists', async () => {
    const desired = desiredState(topology().host('h1').external('n', 'eth0', 5).build(), 'h1');
    const driver = new MemoryVSwitchDriver();
    await reconcile(driver, desired);
    await driver.apply([
      { kind: 'deleteUplink', device: 'eth0', bridge: uplinkBridgeName('eth0') },
    ]);
    expect((await driver.readActual()).bridges[0]?.uplink).toBeUndefined();
    const repair = await reconcile(driver, desired);
    expect(repair.map((op) => op.kind)).toEqual(['setUplink', 'setBridgeUplink']);
  });

  it('counts traffic recorded on a port', async () => {
    const t = topology().host('h1').private('p').vm('vm', 'h1').vif('v', 'vm', 'p').build();
    const driver = new MemoryVSwitchDriver();
    await reconcile(driver, desiredState(t, 'h1'));
    driver.recordTraffic(portName('v'), { rxPackets: 3, rxBytes: 300 });
    expect(await driver.counters()).toEqual([
      expect.objectContaining({ port: portName('v'), rxPackets: 3, rxBytes: 300, txPackets: 0 }),
    ]);
  });

  it('finds a flow and a port put by hand on an owned bridge, removes the flow, isolates the port', async () => {
    const t = topology().host('h1').private('p').vm('vm', 'h1');
    t.vif('v', 'vm', 'p', { mac: '02:00:00:00:00:07', ipv4: '10.0.0.7' });
    const desired = desiredState(t.build(), 'h1');
    const driver = new MemoryVSwitchDriver();
    await reconcile(driver, desired);
    const bridge = bridgeName('p');
    driver.drift.addFlow(bridge, 'priority=65535 actions=NORMAL');
    driver.drift.addFlow('br-other', 'priority=1 actions=drop');
    driver.drift.addPort(bridge, 'tap-x');

    expect(await reconcileFully(driver, desired)).toEqual({
      operations: [],
      findings: [
        { kind: 'flow', bridge, change: 'added', flow: 'priority=65535 actions=NORMAL' },
        { kind: 'port', bridge, change: 'added', port: 'tap-x' },
      ],
    });
    // A bridge the host does not own keeps what was put on it.
    expect(driver.foreign()).toEqual({
      flows: [{ bridge: 'br-other', flow: 'priority=1 actions=drop' }],
      ports: [],
    });
    expect((await reconcileFully(driver, desired)).findings).toEqual([]);
  });
});
