/**
 * Interfaces the hypervisor plugs, adopted by `iface-id` (issue 20) on real Open vSwitch: the
 * host creates no port for a VIF; libvirt's own `ovs-vsctl` operations (a `vnetN` device added
 * to the network's bridge with `external_ids:iface-id`, `attached-mac`, `vm-id` and
 * `iface-status`) are seen by the driver's watch, and one pass adopts the interface: port
 * security, ACL flows and forwarding as for a port the host created (a spoofed frame is
 * dropped, the VIF's own frame delivered). When libvirt removes it, its flows go, the VIF reads
 * back as not plugged, and the other VIF's interface is left as it was.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { missingOvsLab, realPart } from '../../../../../test/support/real-part.js';
import { digest } from '../../model/canonical.js';
import { desiredState } from '../../model/desired-state.js';
import { bridgeName, portName } from '../../model/naming.js';
import { plan } from '../../planner/plan.js';
import { reconcile } from '../../reconcile.js';
import { framePeer } from '../../testing/frame-probes.js';
import { missingScapy, NetnsLab } from '../../testing/netns-lab.js';
import { topology } from '../../testing/topology-builder.js';
import { cookie, hex, PORT_COOKIE_MASK } from './flows.js';
import { OvsVSwitchDriver } from './ovs-driver.js';

const part = realPart(
  'Open vSwitch adoption by iface-id',
  missingOvsLab(['ovs-vsctl', 'ovs-ofctl', 'ovsdb-server', 'ovsdb-client', 'ip', 'ping']) ??
    missingScapy(),
);

/** VM → [libvirt's device name, MAC, IPv4]. */
const VMS = {
  a: ['vnet0', '52:54:00:20:01:0a', '10.20.1.1'],
  b: ['vnet1', '52:54:00:20:01:0b', '10.20.1.2'],
} as const;
type Vm = keyof typeof VMS;

const pool = () => {
  const t = topology()
    .host('h1')
    .external('lan', 'eth0', 20)
    .acl('no-9999', { networkId: 'lan' }, { match: { protocol: 'tcp', portFrom: 9999 } });
  for (const [vm, [, mac, ipv4]] of Object.entries(VMS)) {
    t.vm(vm, 'h1').vif(`v-${vm}`, vm, 'lan', { mac, ipv4, portSecurity: true });
  }
  return t.build();
};

describe.skipIf(part.skip)('OVS driver: adopting the interfaces libvirt plugs', () => {
  beforeAll(() => part.assertPresent());
  const lab = new NetnsLab(`pna${process.pid % 100000}`);
  const ns = {} as Record<Vm, string>;
  const desired = () => desiredState(pool(), 'h1');
  let driver: OvsVSwitchDriver;
  let changes = 0;
  let stopWatch: () => void = () => undefined;
  const port = (vm: Vm) =>
    driver
      .readActual()
      .then((s) => s.bridges.flatMap((b) => b.ports).find((p) => p.name === portName(`v-${vm}`)));
  const nextChange = async (seen: number, what: string) => {
    for (const end = Date.now() + 5000; changes === seen;) {
      if (Date.now() > end) throw new Error(`the watch did not see ${what}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  /** What libvirt runs for `<virtualport type='openvswitch'>` (virNetDevOpenvswitchAddPort). */
  const libvirtPlug = (vm: Vm) => {
    const [device, mac] = VMS[vm];
    return lab.vsctl('h1', [
      '--timeout=5',
      '--',
      '--if-exists',
      'del-port',
      device,
      '--',
      'add-port',
      bridgeName('lan'),
      device,
      '--',
      'set',
      'Interface',
      device,
      `external-ids:attached-mac="${mac}"`,
      '--',
      'set',
      'Interface',
      device,
      `external-ids:iface-id="v-${vm}"`,
      '--',
      'set',
      'Interface',
      device,
      `external-ids:vm-id="${randomUUID()}"`,
      '--',
      'set',
      'Interface',
      device,
      'external-ids:iface-status=active',
    ]);
  };

  beforeAll(async () => {
    await lab.start();
    const host = await lab.addHost('h1');
    driver = new OvsVSwitchDriver({ runDir: host.runDir, vifBinding: 'iface-id' });
    stopWatch = driver.watchDevices(() => changes++);
  }, 60_000);
  afterAll(async () => {
    stopWatch();
    await lab.stop();
  });

  it('creates no port for a VIF nothing is plugged for: it waits, not plugged', async () => {
    await reconcile(driver, desired());
    const ports = await lab.vsctl('h1', ['list-ports', bridgeName('lan')]);
    expect(ports).not.toMatch(/pnv-/);
    expect(await port('a')).toMatchObject({ plugged: false, forwarding: false });
    expect(driver.unpluggedPorts()).toEqual([portName('v-a'), portName('v-b')].sort());
    expect(plan(desired(), await driver.readActual())).toEqual([]);
    expect(await driver.sweep(desired())).toEqual([]);
  });

  it('adopts what libvirt plugs, at once: it forwards, secured, and a spoofed frame is dropped', async () => {
    for (const vm of ['a', 'b'] as const) {
      const [device, mac, ipv4] = VMS[vm];
      ns[vm] = await lab.addVm(vm, 'h1', device, mac, `${ipv4}/24`);
      const seen = changes;
      await libvirtPlug(vm);
      await nextChange(seen, `${device} plugged`);
    }
    const ops = await reconcile(driver, desired());
    expect(ops.map((op) => op.kind)).toEqual(
      expect.arrayContaining(['addPort', 'setPortSecurity']),
    );
    expect(digest(await driver.readActual())).toBe(digest(desired()));
    expect(plan(desired(), await driver.readActual())).toEqual([]);
    expect(await driver.sweep(desired())).toEqual([]);
    expect(driver.unpluggedPorts()).toEqual([]);
    // Adopted under libvirt's name, tagged as the host's VIF; no port of its own name.
    const vif = await lab.vsctl('h1', ['get', 'Interface', 'vnet0', 'external_ids:poolnet-vif']);
    expect(vif.trim().replace(/"/g, '')).toBe('v-a');
    expect(await lab.vsctl('h1', ['list-ports', bridgeName('lan')])).not.toMatch(/pnv-/);
    expect(await lab.ping(ns.a, VMS.b[2])).toBe(true);

    const capture = await framePeer(lab, ns.b, 'capture');
    const sender = await framePeer(lab, ns.a, 'send');
    const frame = (src: string, tag: string) =>
      `Ether(src='${VMS.a[1]}', dst='${VMS.b[1]}')/IP(src='${src}', dst='${VMS.b[2]}')/UDP(sport=4000, dport=4000)/Raw(b'probe-${tag}')`;
    sender.child.stdin!.write(`${frame('10.20.1.66', 'spoofed')}\n`);
    sender.child.stdin!.write(`${frame(VMS.a[2], 'own')}\n`);
    expect(await capture.waitFor('probe-own', 5000)).toBe(true);
    expect(capture.seen).not.toContain('probe-spoofed');
    sender.child.kill();
    capture.child.kill();
  });

  it('reports the VIF not plugged when libvirt removes its interface, and touches nothing else', async () => {
    const flowsOf = async (device: string) => {
      const match = `cookie=${hex(cookie(device, 'base'))}/${PORT_COOKIE_MASK}`;
      const dump = await lab.ofctl('h1', 'dump-flows', bridgeName('lan'), ['--no-stats', match]);
      return dump
        .split('\n')
        .filter((l) => l.includes('cookie='))
        .sort();
    };
    const before = await flowsOf('vnet1');
    expect(before.length).toBeGreaterThan(0);
    expect((await flowsOf('vnet0')).length).toBeGreaterThan(0);
    const seen = changes;
    await lab.vsctl('h1', ['--timeout=5', '--', '--if-exists', 'del-port', 'vnet0']);
    await lab.exec(lab.host('h1').netns, ['ip', 'link', 'del', 'vnet0']);
    await nextChange(seen, 'vnet0 removed');
    expect(await port('a')).toMatchObject({ plugged: false, heldDevice: true });
    await reconcile(driver, desired());
    expect(await port('a')).toMatchObject({ plugged: false, forwarding: false });
    expect(driver.unpluggedPorts()).toEqual([portName('v-a')]);
    expect(plan(desired(), await driver.readActual())).toEqual([]);
    expect(await driver.sweep(desired())).toEqual([]);
    // b's interface and flows are as they were; a's flows are gone.
    expect(await flowsOf('vnet1')).toEqual(before);
    expect(await flowsOf('vnet0')).toEqual([]);
    expect(await port('b')).toMatchObject({ forwarding: true, portSecurity: true });
    expect((await lab.vsctl('h1', ['list-ports', bridgeName('lan')])).split('\n')).toContain(
      'vnet1',
    );
  });
});
