import { describe, expect, it } from 'vitest';
import { MemoryVSwitchDriver } from '../drivers/memory/memory-driver.js';
import { digest } from '../model/canonical.js';
import { desiredState } from '../model/desired-state.js';
import { emptyState } from '../model/host-state.js';
import { portName } from '../model/naming.js';
import { reconcile } from '../reconcile.js';
import { topology } from '../testing/topology-builder.js';
import type { Operation } from './operation.js';
import { plan } from './plan.js';

const pool = () =>
  topology()
    .host('h1', ['eth0', 'eth1', 'eth2'])
    .bond('h1', 'bond0', ['eth1', 'eth2'], 'lacp')
    .external('n10', 'eth0', 10)
    .external('storage', 'bond0')
    .private('p')
    .vm('vm1', 'h1')
    .vm('vm2', 'h1')
    .vif('a', 'vm1', 'n10', { ipv4: '10.0.0.1', portSecurity: true })
    .vif('b', 'vm1', 'p', {
      qos: { ingressKbps: 1000, ingressBurstKb: 10, egressKbps: 2000, egressBurstKb: 20 },
    })
    .vif('c', 'vm2', 'p')
    .acl('no-ssh', { networkId: 'n10' }, { match: { protocol: 'tcp', portFrom: 22 } })
    .mirror('m', { vifId: 'b' }, 'c');

const kinds = (ops: Operation[]) => ops.map((op) => op.kind);

describe('plan', () => {
  it('builds a host from nothing, and a second plan is empty', async () => {
    const desired = desiredState(pool().build(), 'h1');
    const driver = new MemoryVSwitchDriver();
    const ops = await reconcile(driver, desired);
    expect(ops.length).toBeGreaterThan(0);
    expect(digest(await driver.readActual())).toBe(digest(desired));
    expect(plan(desired, await driver.readActual())).toEqual([]);
  });

  it('writes what it can of a port whose device is absent, then the rest once it appears', async () => {
    const desired = desiredState(pool().build(), 'h1');
    const driver = new MemoryVSwitchDriver();
    driver.devices.unplug(portName('a')); // with port security and the network's ACL rule
    await reconcile(driver, desired);
    const waiting = () =>
      driver.datapath
        .snapshot()
        .bridges.flatMap((b) => b.ports)
        .find((p) => p.name === portName('a'));
    expect(waiting()).toMatchObject({ plugged: false, forwarding: false, portSecurity: false });
    expect(waiting()?.heldDevice).toBeUndefined();
    // Nothing left to do: not the port, and not the bridge's flood list (it has no flows yet).
    expect(plan(desired, await driver.readActual())).toEqual([]);

    driver.devices.plug(portName('a'));
    const ops = await reconcile(driver, desired);
    expect(kinds(ops)).toEqual(
      expect.arrayContaining([
        'setPortSecurity',
        'setPortAcls',
        'setPortForwarding',
        'setBridgeFlood',
      ]),
    );
    expect(digest(await driver.readActual())).toBe(digest(desired));

    // Gone again: the port is reset (what was written for the device goes), and then waits.
    driver.devices.unplug(portName('a'));
    expect(waiting()?.heldDevice).toBe(true);
    expect(kinds(await reconcile(driver, desired))).toEqual(['resetPort', 'setBridgeFlood']);
    expect(plan(desired, await driver.readActual())).toEqual([]);
  });

  it('is empty when desired and actual are equal', () => {
    const desired = desiredState(pool().build(), 'h1');
    expect(plan(desired, structuredClone(desired))).toEqual([]);
  });

  it('orders uplinks, bridges, ports and mirrors; forwards a port last, then announces it', () => {
    const ops = plan(desiredState(pool().build(), 'h1'), emptyState());
    const first = (kind: Operation['kind']) => kinds(ops).indexOf(kind);
    expect(first('setUplink')).toBeLessThan(first('createBridge'));
    expect(first('createBridge')).toBeLessThan(first('setBridgeUplink'));
    expect(first('setBridgeUplink')).toBeLessThan(first('addPort'));
    expect(kinds(ops).at(-1)).toBe('setMirrors');
    const forA = ops.filter((op) => 'port' in op && op.port === portName('a'));
    expect(kinds(forA)).toEqual([
      'addPort',
      'setPortAddress',
      'setPortSecurity',
      'setPortAcls',
      'setPortForwarding',
      'announcePort',
    ]);
    expect(forA.at(-1)).toMatchObject({ address: { mac: expect.stringMatching(/^02:/) } });
  });

  it('deletes ports before bridges, and bridges before uplinks', async () => {
    const driver = new MemoryVSwitchDriver();
    await reconcile(driver, desiredState(pool().build(), 'h1'));
    const gone = pool()
      .edit((t) => {
        t.vms = t.vms.filter((vm) => vm.id !== 'vm2');
        t.networks = t.networks.filter((n) => n.id !== 'storage');
      })
      .build();
    const ops = plan(desiredState(gone, 'h1'), await driver.readActual());
    expect(kinds(ops)).toEqual(['deletePort', 'deleteBridge', 'deleteUplink', 'setMirrors']);
  });

  it('stops a port forwarding before changing it', () => {
    const desired = desiredState(pool().build(), 'h1');
    const actual = structuredClone(desired);
    for (const bridge of desired.bridges) for (const port of bridge.ports) port.forwarding = false;
    const mac = desired.bridges.flatMap((b) => b.ports).find((p) => p.name === portName('a'));
    if (mac) mac.mac = '02:00:00:00:00:99';
    const forA = plan(desired, actual).filter((op) => 'port' in op && op.port === portName('a'));
    expect(kinds(forA)).toEqual([
      'setPortForwarding',
      'setPortAddress',
      'setPortSecurity',
      'setPortAcls',
    ]);
  });

  it('re-plans drift: a port deleted by hand and a MAC changed by hand', async () => {
    const desired = desiredState(pool().build(), 'h1');
    const driver = new MemoryVSwitchDriver();
    await reconcile(driver, desired);
    driver.drift.deletePort(portName('c'));
    driver.drift.setMac(portName('a'), '02:de:ad:be:ef:00');

    const repair = await reconcile(driver, desired);
    expect(repair).toContainEqual(
      expect.objectContaining({ kind: 'addPort', port: portName('c') }),
    );
    expect(repair).toContainEqual(
      expect.objectContaining({ kind: 'setPortAddress', port: portName('a') }),
    );
    // The mirror lost its output with the port, and comes back with it.
    expect(repair).toContainEqual(expect.objectContaining({ kind: 'setMirrors' }));
    expect(digest(await driver.readActual())).toBe(digest(desired));
  });

  it('converges after failed applies, including one that stopped half-way', async () => {
    const desired = desiredState(pool().build(), 'h1');
    const driver = new MemoryVSwitchDriver().failNextApplies(1).failNextApplies(1, { afterOps: 7 });
    await expect(reconcile(driver, desired)).rejects.toThrow('injected failure');
    await expect(reconcile(driver, desired)).rejects.toThrow('injected failure');
    expect(driver.applied[1]).toHaveLength(driver.applied[0]!.length);
    await reconcile(driver, desired);
    expect(await reconcile(driver, desired)).toEqual([]);
    expect(digest(await driver.readActual())).toBe(digest(desired));
  });

  it('re-sets mirrors when a port they select is re-created under the same name', async () => {
    const driver = new MemoryVSwitchDriver();
    await reconcile(driver, desiredState(pool().build(), 'h1'));
    // The VIF id now belongs to another VM: same port name, a new port.
    const recreated = pool()
      .edit((t) => {
        t.vifs.find((v) => v.id === 'b')!.vmId = 'vm2';
      })
      .build();
    const ops = await reconcile(driver, desiredState(recreated, 'h1'));
    expect(kinds(ops)).toEqual(expect.arrayContaining(['deletePort', 'addPort', 'setMirrors']));
    expect(await reconcile(driver, desiredState(recreated, 'h1'))).toEqual([]);
  });

  it('moves a VIF to another network by deleting its port before re-adding it', async () => {
    const driver = new MemoryVSwitchDriver();
    await reconcile(driver, desiredState(pool().build(), 'h1'));
    const moved = pool()
      .edit((t) => {
        t.vifs.find((v) => v.id === 'a')!.networkId = 'storage';
      })
      .build();
    const ops = await reconcile(driver, desiredState(moved, 'h1'));
    expect(kinds(ops).indexOf('deletePort')).toBeLessThan(kinds(ops).indexOf('addPort'));
    expect(await reconcile(driver, desiredState(moved, 'h1'))).toEqual([]);
  });
});
