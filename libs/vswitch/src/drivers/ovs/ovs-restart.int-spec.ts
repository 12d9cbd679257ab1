import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digest } from '../../model/canonical.js';
import { desiredState } from '../../model/desired-state.js';
import { portName } from '../../model/naming.js';
import { reconcile } from '../../reconcile.js';
import { NetnsLab } from '../../testing/netns-lab.js';
import { restartVswitchd } from '../../testing/restart-vswitchd.js';
import { topology } from '../../testing/topology-builder.js';

const mac = (n: number) => `02:00:00:00:0b:${n.toString(16).padStart(2, '0')}`;
const VMS = { a: [1, '10.71.0.1'], b: [2, '10.71.0.2'], c: [3, '10.71.0.3'] } as const;

/** B may not ping A (a to-VM rule of A's); C may. */
function pool() {
  const t = topology().host('h1').external('lan', 'eth0');
  for (const [vm, [n, ipv4]] of Object.entries(VMS)) {
    t.vm(vm, 'h1').vif(`v-${vm}`, vm, 'lan', { mac: mac(n), ipv4, portSecurity: true });
  }
  return t.acl(
    'no-b',
    { vifId: 'v-a' },
    {
      direction: 'egress',
      match: { protocol: 'icmp', cidr: '10.71.0.2/32' },
      action: 'drop',
    },
  );
}

/**
 * ovs-vswitchd restarted under a running member host: its OpenFlow connections close, the flow
 * tables come back empty, and the next pass must open new connections (no flow of the host
 * known on them any more) and put the whole pipeline back.
 */
describe('OVS driver: ovs-vswitchd restarted under the host (userspace datapath)', () => {
  const lab = new NetnsLab(`pnw${process.pid}`);
  const host = () => lab.hosts.get('h1')!;
  const ns: Record<string, string> = {};
  const desired = desiredState(pool().build(), 'h1');

  beforeAll(async () => {
    await lab.start();
    await lab.addHost('h1');
    for (const [vm, [n, ipv4]] of Object.entries(VMS)) {
      ns[vm] = await lab.addVm(vm, 'h1', portName(`v-${vm}`), mac(n), `${ipv4}/24`);
    }
    await reconcile(host().driver, desired);
    expect(digest(await host().driver.readActual())).toBe(digest(desired));
  });
  afterAll(async () => {
    await lab.stop();
  });

  it('reconnects and reconverges: the ACL holds again and allowed traffic passes', async () => {
    expect(await lab.ping(ns.c!, VMS.a[1])).toBe(true);
    expect(await lab.ping(ns.b!, VMS.a[1])).toBe(false);
    const { runDir, netns } = host();
    await restartVswitchd(runDir, netns);
    // The switch came back without flows: the host reads that and writes everything again.
    expect(digest(await host().driver.readActual())).not.toBe(digest(desired));
    await reconcile(host().driver, desired);
    expect(digest(await host().driver.readActual())).toBe(digest(desired));
    expect(await lab.ping(ns.c!, VMS.a[1])).toBe(true);
    expect(await lab.ping(ns.b!, VMS.a[1])).toBe(false);
  }, 60_000);
});
