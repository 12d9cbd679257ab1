import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { poolDecider, type PoolCommand } from '@pool/domain';
import { MemoryDatapath, MemoryVSwitchDriver, uplinkBridgeName } from '@pool/vswitch';
import { Datapath } from './datapath.js';
import { ResolverFile } from './resolver-file.js';
import { poolEvents } from './testing/fake-feed.js';

const configure = (data: Record<string, unknown>) =>
  ({
    type: 'ConfigureHostInterface',
    data: { hostId: 'h1', name: 'mgmt0', purpose: 'management', ...data },
    metadata: { now: '2025-01-02T03:04:05.000Z', actor: 'test' },
  }) as PoolCommand;

/** The fake feed's pool, with h1's management interface configured by `command`. */
function stateWith(command: PoolCommand) {
  const state = poolDecider.initialState();
  for (const event of poolEvents(1)) poolDecider.evolve(state, event);
  for (const event of poolDecider.decide(command, state)) poolDecider.evolve(state, event);
  return state;
}

describe('Datapath: the host interfaces it reports', () => {
  it('reports the management interface where the switch holds it, and follows a move', async () => {
    const driver = new MemoryVSwitchDriver();
    const datapath = new Datapath(driver, 'h1');
    const ipv4 = { mode: 'static', address: '192.0.2.11/24', gateway: '192.0.2.1' };
    await datapath.converge(stateWith(configure({ device: 'eth0', ipv4 })), 10, 'full');
    expect(datapath.interfaces).toEqual([
      {
        name: 'mgmt0',
        purpose: 'management',
        device: 'eth0',
        bridge: uplinkBridgeName('eth0'),
        addresses: ['192.0.2.11/24'],
      },
    ]);
    const moved = {
      device: 'eth0',
      vlan: 30,
      ipv4: { mode: 'static', address: '198.51.100.11/24' },
    };
    const outcome = await datapath.converge(stateWith(configure(moved)), 11, 'apply');
    expect(outcome.ok).toBe(true);
    expect(datapath.interfaces).toEqual([
      expect.objectContaining({ vlan: 30, addresses: ['198.51.100.11/24'] }),
    ]);
    expect(driver.datapath.interfaces.get('mgmt0')).toMatchObject({ vlan: 30 });
  });

  it('reports what a DHCP client leased, read from the driver at refreshLeases', async () => {
    // The driver's read of the device (real in ovs-host-interfaces-dhcp.int-spec.ts).
    const driver = Object.assign(new MemoryVSwitchDriver(), {
      interfaceLeases: () => Promise.resolve(new Map([['mgmt0', ['192.0.2.107/24']]])),
    });
    const datapath = new Datapath(driver, 'h1');
    const dhcp = configure({ device: 'eth0', ipv4: { mode: 'dhcp' } });
    await datapath.converge(stateWith(dhcp), 10, 'full');
    expect(datapath.interfaces).toEqual([
      expect.objectContaining({ name: 'mgmt0', addresses: [], dynamic: true }),
    ]);
    expect(datapath.interfaces[0]).not.toHaveProperty('leased');
    await datapath.refreshLeases();
    expect(datapath.interfaces).toEqual([
      expect.objectContaining({ addresses: [], dynamic: true, leased: ['192.0.2.107/24'] }),
    ]);
    // Kept across a converge that leaves the interface where it is; gone with a move.
    const vlan = configure({ device: 'eth0', vlan: 30, ipv4: { mode: 'dhcp' } });
    await datapath.converge(stateWith(vlan), 11, 'full');
    expect(datapath.interfaces[0]).not.toHaveProperty('leased');
    await datapath.refreshLeases();
    await datapath.converge(stateWith(vlan), 12, 'full');
    expect(datapath.interfaces[0]).toMatchObject({ vlan: 30, leased: ['192.0.2.107/24'] });
  });

  it("writes the resolver from the DHCP lease's DNS servers (memory datapath's model), static DNS winning", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'poolnet-datapath-dns-'));
    try {
      const resolver = new ResolverFile(join(dir, 'resolv.conf'), join(dir, 'resolv.previous'));
      await writeFile(resolver.path, 'nameserver 10.9.9.9\n');
      const driver = new MemoryVSwitchDriver(new MemoryDatapath({ client: 'h1' }));
      const datapath = new Datapath(driver, 'h1', resolver);
      const dhcp = { device: 'eth0', ipv4: { mode: 'dhcp' }, ipv6: { mode: 'dhcp' } };
      await datapath.converge(stateWith(configure(dhcp)), 10, 'full');
      const leased = (await driver.leasedDns()).get('mgmt0')!;
      expect(leased).toHaveLength(2);
      const written = await readFile(resolver.path, 'utf8');
      expect(written).toContain('(its DHCP lease)');
      for (const server of leased) expect(written).toContain(`nameserver ${server}\n`);
      await datapath.refreshLeases();
      expect(datapath.interfaces[0]!.leased).toHaveLength(2); // both families' leases
      // Static servers in the log win over the lease's.
      await datapath.converge(
        stateWith(configure({ ...dhcp, dns: ['198.51.100.53'] })),
        11,
        'full',
      );
      const static_ = await readFile(resolver.path, 'utf8');
      expect(static_).toContain('nameserver 198.51.100.53\n');
      expect(static_).not.toContain(leased[0]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
