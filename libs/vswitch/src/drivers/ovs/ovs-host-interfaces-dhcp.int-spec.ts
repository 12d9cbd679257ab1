import type { ChildProcess } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { missingOvsLab, realPart } from '../../../../../test/support/real-part.js';
import { desiredState } from '../../model/desired-state.js';
import type { HostInterface } from '../../model/host-state.js';
import { uplinkBridgeName } from '../../model/naming.js';
import type { PoolTopology, TopologyHostInterface } from '../../model/topology.js';
import { reconcile } from '../../reconcile.js';
import { closeDhcpLab, pollUntil, processAlive, startDnsmasq } from '../../testing/dhcp-lab.js';
import { NetnsLab } from '../../testing/netns-lab.js';
import { NO_TX_CHECKSUM } from '../../testing/netns-scripts.js';
import { managementInterface, topology } from '../../testing/topology-builder.js';

/*
 * A management interface in DHCP mode on real Open vSwitch (issue 21): the host's DHCP client
 * (ISC dhclient, run by the driver in the host's namespace) leases an address from Debian's
 * dnsmasq on the physical switch's side, which pings it; a move to a bond releases the lease
 * and leases again from the new port (a new MAC); a client killed by hand is started again by
 * the next pass; static mode stops the client and releases the lease.
 */

const lab = new NetnsLab(`hdh${process.pid}`);
const part = realPart(
  'OVS host interfaces over DHCP',
  missingOvsLab(['ovs-vsctl', 'ovs-vswitchd', 'ip', 'ping', 'dhclient', 'dnsmasq']),
);

const DHCP = { ipv4: { mode: 'dhcp' as const }, dns: [] };
const LEASED = /^192\.0\.2\.(1[0-4]\d|150)\/24$/;

const pool = (iface: TopologyHostInterface): PoolTopology => {
  const built = topology()
    .host('h1', ['eth0', 'eth1', 'eth2'])
    .bond('h1', 'bond0', ['eth1', 'eth2'])
    .build();
  return { ...built, hosts: built.hosts.map((h) => ({ ...h, interfaces: [iface] })) };
};

describe.skipIf(part.skip)('OVS driver: a host interface in DHCP mode, real dhclient', () => {
  let dir = '';
  let dnsmasq: ChildProcess | undefined;
  const dhcpDir = () => join(dir, 'dhcp');
  const driver = () => lab.host('h1').driver;
  const inHost = (command: string[]) => lab.exec(lab.host('h1').netns, command);
  const macOf = async (device: string): Promise<string> =>
    JSON.parse(await inHost(['ip', '-j', 'link', 'show', 'dev', device]))[0].address as string;
  const clientPid = async (): Promise<number | undefined> => {
    const text = await readFile(join(dhcpDir(), 'dhclient-mgmt0.pid'), 'utf8').catch(() => '');
    return text.trim() ? Number(text) : undefined;
  };
  const alive = processAlive;
  /** dnsmasq's lease file: one line per lease, `expiry mac ip hostname client-id`. */
  const serverLeases = async (): Promise<string> =>
    readFile(join(dir, 'dnsmasq.leases'), 'utf8').catch(() => '');
  const mgmt = async (): Promise<HostInterface | undefined> =>
    (await driver().readActual()).interfaces?.find((i) => i.name === 'mgmt0');

  const until = pollUntil;

  beforeAll(async () => {
    part.assertPresent();
    dir = await mkdtemp(join(tmpdir(), 'poolnet-dhcp-'));
    await lab.start();
    await lab.addHost('h1', ['eth0', 'eth1', 'eth2'], { dhcp: { stateDir: join(dir, 'dhcp') } });
    await lab.addOutsider('192.0.2.1/24');
    // The lab's veths leave UDP checksums to hardware that is not there, and the userspace
    // datapath hands the frame on as it is: dhclient drops a reply with a bad checksum. On the
    // physical switch's side (dnsmasq's bridge and the host's NICs' far ends) they are computed.
    for (const device of ['sw', ...['eth0', 'eth1', 'eth2'].map((nic) => lab.nicOf('h1', nic))]) {
      await lab.exec(lab.phys, ['python3', '-c', NO_TX_CHECKSUM, device]);
    }
    dnsmasq = startDnsmasq(lab, dir, [
      '--dhcp-range=192.0.2.100,192.0.2.150,255.255.255.0,2m',
      '--dhcp-option=option:router,192.0.2.1',
    ]);
  }, 120_000);

  afterAll(() => closeDhcpLab(lab, dir, dnsmasq));

  it('leases an address for an internal port on the NIC: read back, reported, pinged', async () => {
    await lab.converge(pool(managementInterface(DHCP)));
    expect((await lab.vsctl('h1', ['port-to-br', 'mgmt0'])).trim()).toBe(uplinkBridgeName('eth0'));
    const { value: read, ms } = await until(mgmt, (i) => i?.leased?.length === 1, 'a lease');
    console.log(`dhcp: leased ${read!.leased![0]} ${ms} ms after the apply`);
    expect(read!.leased![0]).toMatch(LEASED);
    expect(read!.ipv4).toEqual({ mode: 'dhcp' }); // the configuration, not the lease
    expect(await driver().interfaceLeases()).toEqual(new Map([['mgmt0', read!.leased]]));
    // A lease is no drift: nothing to plan.
    expect(await reconcile(driver(), desiredState(pool(managementInterface(DHCP)), 'h1'))).toEqual(
      [],
    );
    expect(await serverLeases()).toContain(await macOf('mgmt0'));
    expect(await inHost(['ip', 'route', 'show', 'default'])).toContain('via 192.0.2.1 dev mgmt0');
    expect(await lab.ping(lab.phys, read!.leased![0]!.split('/')[0]!)).toBe(true);
  });

  it('moves it to a bond: releases the old lease and leases again from the new port', async () => {
    const oldMac = await macOf('mgmt0');
    const firstPid = await clientPid();
    const ops = await reconcile(
      driver(),
      desiredState(pool(managementInterface({ ...DHCP, device: 'bond0' })), 'h1'),
    );
    expect(ops.map((op) => op.kind)).toEqual([
      'deleteHostInterface',
      'deleteUplink',
      'setUplink',
      'setHostInterface',
    ]);
    expect((await lab.vsctl('h1', ['port-to-br', 'mgmt0'])).trim()).toBe(uplinkBridgeName('bond0'));
    const newMac = await macOf('mgmt0');
    expect(newMac).not.toBe(oldMac);
    expect(alive(firstPid!)).toBe(false); // the old port's client stopped
    expect(await serverLeases()).not.toContain(oldMac); // with a DHCPRELEASE
    const { value: read, ms } = await until(mgmt, (i) => i?.leased?.length === 1, 'a new lease');
    console.log(`dhcp: re-leased ${read!.leased![0]} on the bond ${ms} ms after the move`);
    expect(await serverLeases()).toContain(newMac);
    expect(await lab.ping(lab.phys, read!.leased![0]!.split('/')[0]!)).toBe(true);
  });

  it('starts a client killed by hand again at the next pass (the drift pass supervises)', async () => {
    const desired = desiredState(pool(managementInterface({ ...DHCP, device: 'bond0' })), 'h1');
    const pid = (await clientPid())!;
    const leased = (await mgmt())!.leased;
    process.kill(pid, 'SIGKILL');
    await until(
      () => Promise.resolve(alive(pid)),
      (up) => !up,
      'the client to die',
    );
    const unserved = await mgmt();
    expect(unserved?.ipv4).toEqual({ mode: 'none' });
    expect(unserved?.leased).toEqual(leased); // the address stays meanwhile
    const ops = await reconcile(driver(), desired);
    expect(ops.map((op) => op.kind)).toEqual(['setHostInterface']);
    const again = (await clientPid())!;
    expect(again).not.toBe(pid);
    expect(alive(again)).toBe(true);
    // Not released for the dead client: the address never left the device.
    expect((await mgmt())?.leased).toEqual(leased);
    expect(await reconcile(driver(), desired)).toEqual([]);
  });

  it('switches it to static: the client stops, the lease is released, only the static address stays', async () => {
    const pid = (await clientPid())!;
    const mac = await macOf('mgmt0');
    const leased = (await mgmt())!.leased![0]!;
    await lab.converge(pool(managementInterface({ device: 'bond0', dns: [] })));
    expect(alive(pid)).toBe(false);
    expect(await clientPid()).toBeUndefined();
    expect(await serverLeases()).not.toContain(mac);
    const addresses = await inHost(['ip', '-4', '-o', 'addr', 'show', 'dev', 'mgmt0']);
    expect(addresses).toContain('192.0.2.11/24');
    expect(addresses).not.toContain(leased);
    expect((await mgmt())?.leased).toBeUndefined();
    expect(await lab.ping(lab.phys, '192.0.2.11')).toBe(true);
  });
});
