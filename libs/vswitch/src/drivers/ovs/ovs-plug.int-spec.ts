/**
 * A VIF whose device is absent on real Open vSwitch (issue 24): the host applies its state
 * anyway (the port waits, pending, with its records), nothing is left to plan or to sweep, the
 * device appearing is seen by the driver's watch within moments, and one pass then writes the
 * port's flows: it forwards, with its port security. A device that goes away takes its flows
 * with it (they name an OpenFlow port number), and a new device under the name is secured anew.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { missingOvsLab, realPart } from '../../../../../test/support/real-part.js';
import { desiredState } from '../../model/desired-state.js';
import { digest } from '../../model/canonical.js';
import { portName } from '../../model/naming.js';
import { plan } from '../../planner/plan.js';
import { reconcile } from '../../reconcile.js';
import { NetnsLab } from '../../testing/netns-lab.js';
import { topology } from '../../testing/topology-builder.js';

const part = realPart(
  'Open vSwitch',
  missingOvsLab(['ovs-vsctl', 'ovs-ofctl', 'ovsdb-server', 'ovsdb-client', 'ip', 'ping']),
);

const VMS = { a: ['02:00:00:00:24:0a', '10.24.3.1'], b: ['02:00:00:00:24:0b', '10.24.3.2'] };
const PORT_A = portName('v-a');

const pool = () => {
  // A rule on the network: the ports have ACL flows and get flooded frames through them.
  const t = topology()
    .host('h1')
    .external('lan', 'eth0', 24)
    .acl('no-9999', { networkId: 'lan' }, { match: { protocol: 'tcp', portFrom: 9999 } });
  for (const [vm, [mac, ipv4]] of Object.entries(VMS)) {
    t.vm(vm, 'h1').vif(`v-${vm}`, vm, 'lan', { mac, ipv4, portSecurity: true });
  }
  return t.build();
};

describe.skipIf(part.skip)('OVS driver: a VIF whose device is not plugged yet', () => {
  beforeAll(() => part.assertPresent());
  const lab = new NetnsLab(`pnp${process.pid % 100000}`);
  const desired = () => desiredState(pool(), 'h1');
  const driver = () => lab.host('h1').driver;
  let nsA = '';
  let changes = 0;
  let stopWatch: () => void = () => undefined;
  const portA = async () =>
    (await driver().readActual()).bridges.flatMap((b) => b.ports).find((p) => p.name === PORT_A);
  /** The VM's only address becomes `cidr`. */
  const readdress = async (ns: string, cidr: string) => {
    await lab.exec(ns, ['ip', 'addr', 'flush', 'dev', 'eth0']);
    await lab.exec(ns, ['ip', 'addr', 'add', cidr, 'dev', 'eth0']);
  };
  const waitForChange = async (seen: number, what: string) => {
    const deadline = Date.now() + 5000;
    while (changes === seen) {
      if (Date.now() > deadline) throw new Error(`the watch did not see ${what}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    return changes;
  };

  beforeAll(async () => {
    await lab.start();
    await lab.addHost('h1');
    await lab.addVm('b', 'h1', portName('v-b'), VMS.b[0]!, `${VMS.b[1]}/24`);
    stopWatch = driver().watchDevices(() => changes++);
  }, 60_000);
  afterAll(async () => {
    stopWatch();
    await lab.stop();
  });

  it('applies the state with the device absent: no failure, the port waits, nothing left to do', async () => {
    await reconcile(driver(), desired()); // throws if a flow naming the port were sent
    expect(await portA()).toMatchObject({ plugged: false, forwarding: false, mac: VMS.a[0] });
    expect((await portA())?.heldDevice).toBeUndefined();
    expect(driver().unpluggedPorts()).toEqual([PORT_A]);
    expect(plan(desired(), await driver().readActual())).toEqual([]);
    expect(await driver().sweep(desired())).toEqual([]);
    const tag = await lab.vsctl('h1', ['get', 'Port', PORT_A, 'tag']);
    expect(tag.trim()).toBe('4095');
  });

  it('sees the device appear at once and one pass makes the port forward, secured', async () => {
    const seen = changes;
    const plugged = Date.now();
    nsA = await lab.addVm('a', 'h1', PORT_A, VMS.a[0]!, `${VMS.a[1]}/24`);
    await waitForChange(seen, 'the device appear');
    const noticedMs = Date.now() - plugged;
    expect(noticedMs).toBeLessThan(2000);

    const ops = await reconcile(driver(), desired());
    expect(ops.map((op) => op.kind)).toEqual(
      expect.arrayContaining(['setPortSecurity', 'setPortForwarding', 'announcePort']),
    );
    expect(digest(await driver().readActual())).toBe(digest(desired()));
    expect(driver().unpluggedPorts()).toEqual([]);
    expect(await driver().sweep(desired())).toEqual([]);
    expect(await lab.ping(nsA, VMS.b[1]!)).toBe(true);
    // Port security is in place: an address that is not the VIF's goes nowhere.
    await readdress(nsA, '10.24.3.66/24');
    expect(await lab.ping(nsA, VMS.b[1]!)).toBe(false);
    await readdress(nsA, `${VMS.a[1]}/24`);
    expect(await lab.ping(nsA, VMS.b[1]!)).toBe(true);
  });

  it('drops the flows of a device that went away, and secures the next one under the name', async () => {
    const seen = changes;
    await lab.exec(lab.host('h1').netns, ['ip', 'link', 'del', PORT_A]);
    await waitForChange(seen, 'the device go');
    expect(await portA()).toMatchObject({ plugged: false, heldDevice: true });
    // The port and its copy of flooded frames (it had ACL flows) go.
    expect((await reconcile(driver(), desired())).map((op) => op.kind)).toEqual([
      'resetPort',
      'setBridgeFlood',
    ]);
    expect(await portA()).toMatchObject({ plugged: false, forwarding: false });
    expect((await portA())?.heldDevice).toBeUndefined();
    expect(plan(desired(), await driver().readActual())).toEqual([]);

    const again = changes;
    const ns = await lab.addVm('a2', 'h1', PORT_A, VMS.a[0]!, `${VMS.a[1]}/24`);
    await waitForChange(again, 'the new device');
    await reconcile(driver(), desired());
    expect(digest(await driver().readActual())).toBe(digest(desired()));
    expect(await lab.ping(ns, VMS.b[1]!)).toBe(true);
    await readdress(ns, '10.24.3.67/24');
    expect(await lab.ping(ns, VMS.b[1]!)).toBe(false);
    // The new device's OpenFlow number came from the OVSDB replica, not a port-description read.
    expect(driver().openflowCounters()).toMatchObject({ portDescriptionReads: 0 });
  });
});
