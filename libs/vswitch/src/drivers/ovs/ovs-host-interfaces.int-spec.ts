import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { missingOvsLab, realPart } from '../../../../../test/support/real-part.js';
import { digest } from '../../model/canonical.js';
import { desiredState } from '../../model/desired-state.js';
import { uplinkBridgeName } from '../../model/naming.js';
import type { PoolTopology, TopologyHostInterface } from '../../model/topology.js';
import { reconcile } from '../../reconcile.js';
import { NetnsLab } from '../../testing/netns-lab.js';
import { managementInterface, topology } from '../../testing/topology-builder.js';

/*
 * A host's management interface on real Open vSwitch (issue 21): an internal port with a static
 * address, which the physical switch's side pings, moved to a bond and then to a VLAN on it;
 * the address follows in one apply each time. The physical switch holds 192.0.2.1 untagged; a
 * second host, `peer`, holds 198.51.100.1 on VLAN 30 through its own management interface (a
 * tagged internal port poolnet gives it: the kernel here has no 8021q for a VLAN device).
 */

const lab = new NetnsLab(`hif${process.pid}`);
const part = realPart(
  'OVS host interfaces',
  missingOvsLab(['ovs-vsctl', 'ovs-vswitchd', 'ip', 'ping']),
);

const mgmt = managementInterface;
/** h1's management interface also holds an IPv6 address in the first two steps. */
const V6 = { ipv6: { mode: 'static' as const, address: 'fd00:21::11/64' } };

const onVlan30 = mgmt({
  name: 'peer30',
  vlan: 30,
  ipv4: { mode: 'static', address: '198.51.100.1/24' },
  dns: [],
});

const pool = (iface: TopologyHostInterface): PoolTopology => {
  const t = topology()
    .host('h1', ['eth0', 'eth1', 'eth2'])
    .bond('h1', 'bond0', ['eth1', 'eth2'])
    .host('peer', ['eth0']);
  const built = t.build();
  const interfaces = (id: string) => (id === 'h1' ? [iface] : [onVlan30]);
  return { ...built, hosts: built.hosts.map((h) => ({ ...h, interfaces: interfaces(h.id) })) };
};

describe.skipIf(part.skip)('OVS driver: host interfaces on real Open vSwitch', () => {
  const netns = () => lab.host('h1').netns;
  const inHost = (command: string[]) => lab.exec(netns(), command);
  const portToBridge = (port: string) =>
    lab.vsctl('h1', ['port-to-br', port]).then(
      (out) => out.trim(),
      () => null,
    );

  beforeAll(async () => {
    part.assertPresent();
    await lab.start();
    await lab.addHost('h1', ['eth0', 'eth1', 'eth2']);
    await lab.addOutsider('192.0.2.1/24');
    await lab.exec(lab.phys, ['ip', '-6', 'addr', 'add', 'fd00:21::1/64', 'dev', 'sw', 'nodad']);
    await lab.addHost('peer', ['eth0']);
  }, 120_000);
  afterAll(() => lab.stop());

  it('gives an internal port on the NIC its static address and default route: it answers ping', async () => {
    await lab.converge(pool(mgmt(V6)));
    expect(await portToBridge('mgmt0')).toBe(uplinkBridgeName('eth0'));
    expect(await inHost(['ip', '-4', '-o', 'addr', 'show', 'dev', 'mgmt0'])).toContain(
      '192.0.2.11/24',
    );
    expect(await inHost(['ip', 'route', 'show', 'default'])).toContain('via 192.0.2.1 dev mgmt0');
    expect(await lab.ping(lab.phys, '192.0.2.11')).toBe(true);
    await lab.exec(lab.phys, ['ping', '-6', '-c', '1', '-W', '2', 'fd00:21::11']);
  });

  it('moves it to a bond in one apply: the address follows, the NIC bridge goes', async () => {
    const desired = desiredState(pool(mgmt({ device: 'bond0', ...V6 })), 'h1');
    const ops = await reconcile(lab.host('h1').driver, desired);
    expect(ops.map((op) => op.kind)).toEqual([
      'deleteHostInterface',
      'deleteUplink',
      'setUplink',
      'setHostInterface',
    ]);
    expect(digest(await lab.host('h1').driver.readActual())).toBe(digest(desired));
    expect(await portToBridge('mgmt0')).toBe(uplinkBridgeName('bond0'));
    expect(await portToBridge('eth0')).toBeNull();
    // The moved port is a new one, with a new MAC: the physical side, which still had the old
    // one from the ping above, learnt it from the port's gratuitous ARP and answers at once.
    const mac = JSON.parse(await inHost(['ip', '-j', 'link', 'show', 'dev', 'mgmt0']))[0].address;
    expect(await lab.exec(lab.phys, ['ip', 'neigh', 'show', '192.0.2.11'])).toContain(mac);
    expect(await lab.exec(lab.phys, ['ip', '-6', 'neigh', 'show', 'fd00:21::11'])).toContain(mac);
    await lab.exec(lab.phys, ['ping', '-c', '1', '-W', '1', '192.0.2.11']);
    expect(await lab.ping(lab.phys, '192.0.2.11')).toBe(true);
  });

  it('moves it to VLAN 30 on the bond with a new address: only that one answers', async () => {
    const ipv4 = { mode: 'static' as const, address: '198.51.100.11/24', gateway: '198.51.100.1' };
    await lab.converge(pool(mgmt({ device: 'bond0', vlan: 30, ipv4 })));
    expect((await lab.vsctl('h1', ['get', 'Port', 'mgmt0', 'tag'])).trim()).toBe('30');
    expect(await lab.ping(lab.host('peer').netns, '198.51.100.11')).toBe(true);
    expect(await lab.ping(lab.phys, '192.0.2.11')).toBe(false);
  });

  it('puts back an address and route removed by hand at the next pass', async () => {
    const ipv4 = { mode: 'static' as const, address: '198.51.100.11/24', gateway: '198.51.100.1' };
    const desired = desiredState(pool(mgmt({ device: 'bond0', vlan: 30, ipv4 })), 'h1');
    await inHost(['ip', 'addr', 'flush', 'dev', 'mgmt0', 'scope', 'global']);
    expect(await lab.ping(lab.host('peer').netns, '198.51.100.11')).toBe(false);
    const ops = await reconcile(lab.host('h1').driver, desired);
    expect(ops.map((op) => op.kind)).toEqual(['setHostInterface']);
    expect(await lab.ping(lab.host('peer').netns, '198.51.100.11')).toBe(true);
    expect(await inHost(['ip', 'route', 'show', 'default'])).toContain(
      'via 198.51.100.1 dev mgmt0',
    );
  });

  it('keeps an address on the PIF itself out of every bridge (placement pif)', async () => {
    await lab.converge(pool(mgmt({ name: 'eth0', placement: 'pif' })));
    expect(await portToBridge('mgmt0')).toBeNull();
    expect(await portToBridge('eth0')).toBeNull();
    expect(await inHost(['ip', '-4', '-o', 'addr', 'show', 'dev', 'eth0'])).toContain(
      '192.0.2.11/24',
    );
    expect(await lab.ping(lab.phys, '192.0.2.11')).toBe(true);
    expect(await lab.ping(lab.host('peer').netns, '198.51.100.11')).toBe(false);
  });
});
