import { describe, expect, it } from 'vitest';
import { digest } from '../../model/canonical.js';
import { desiredState } from '../../model/desired-state.js';
import type { PoolTopology, TopologyHostInterface } from '../../model/topology.js';
import { reconcile } from '../../reconcile.js';
import { managementInterface, topology } from '../../testing/topology-builder.js';
import { MemoryDatapath } from './memory-datapath.js';
import { MemoryVSwitchDriver } from './memory-driver.js';

const pool = (...interfaces: TopologyHostInterface[]): PoolTopology => {
  const built = topology().host('h1', ['eth0', 'eth1']).host('h2', ['eth0', 'eth1']).build();
  return { ...built, hosts: built.hosts.map((h) => ({ ...h, interfaces })) };
};
const DUAL = managementInterface({ ipv4: { mode: 'dhcp' }, ipv6: { mode: 'dhcp' }, dns: [] });
const hostOn = (name: string) => new MemoryVSwitchDriver(new MemoryDatapath({ client: name }));

describe('memory datapath: DHCP and SLAAC leases of host interfaces', () => {
  it("leases from the segment's modelled server, reads it back apart from the configuration, plans nothing", async () => {
    const driver = hostOn('h1');
    const desired = desiredState(pool(DUAL), 'h1');
    await reconcile(driver, desired);
    const [read] = (await driver.readActual()).interfaces!;
    expect(read!.ipv4).toEqual({ mode: 'dhcp' });
    expect(read!.leased).toHaveLength(2);
    const [v4, v6] = read!.leased!;
    expect(v4).toMatch(/^10\.\d+\.\d+\.\d+\/24$/);
    expect(v6).toMatch(/^fd00:[0-9a-f]+:[0-9a-f]+::[0-9a-f]+\/128$/);
    expect(await driver.interfaceLeases()).toEqual(new Map([['mgmt0', read!.leased]]));
    // The server's DNS servers are in its own pools.
    const [dns4, dns6] = (await driver.leasedDns()).get('mgmt0')!;
    expect(dns4).toBe(`${v4!.split('.').slice(0, 3).join('.')}.53`);
    expect(dns6).toBe(`${v6!.split('::')[0]}::53`);
    // A lease is no drift, and the digest of what is read back is the desired one's.
    expect(await reconcile(driver, desired)).toEqual([]);
    expect(digest(await driver.readActual())).toBe(digest(desired));
  });

  it('gives each host its own address from the same pool, the same one every time', async () => {
    const leased = async (host: string) => {
      const driver = hostOn(host);
      await reconcile(driver, desiredState(pool(DUAL), host));
      return (await driver.interfaceLeases()).get('mgmt0')!;
    };
    const [a, b, again] = [await leased('h1'), await leased('h2'), await leased('h1')];
    expect(again).toEqual(a);
    expect(b).not.toEqual(a);
    expect(b[0]!.split('.').slice(0, 3)).toEqual(a[0]!.split('.').slice(0, 3));
  });

  it('leases from another server on another segment (a VLAN), SLAAC in autoconf, none once static', async () => {
    const driver = hostOn('h1');
    await reconcile(driver, desiredState(pool(DUAL), 'h1'));
    const untagged = (await driver.interfaceLeases()).get('mgmt0')!;
    await reconcile(driver, desiredState(pool({ ...DUAL, vlan: 20 }), 'h1'));
    const tagged = (await driver.interfaceLeases()).get('mgmt0')!;
    expect(tagged[0]!.split('.').slice(0, 3)).not.toEqual(untagged[0]!.split('.').slice(0, 3));

    const slaac = { ...DUAL, ipv4: { mode: 'none' as const }, ipv6: { mode: 'autoconf' as const } };
    await reconcile(driver, desiredState(pool(slaac), 'h1'));
    const [formed] = (await driver.interfaceLeases()).get('mgmt0')!;
    expect(formed).toMatch(/^fd00:.*:0\/64$/);
    expect((await driver.leasedDns()).get('mgmt0')).toBeUndefined(); // SLAAC: no DHCP
    expect(await reconcile(driver, desiredState(pool(slaac), 'h1'))).toEqual([]);

    await reconcile(driver, desiredState(pool(managementInterface()), 'h1'));
    expect((await driver.readActual()).interfaces![0]!.leased).toBeUndefined();
    expect(await driver.interfaceLeases()).toEqual(new Map());
  });
});
