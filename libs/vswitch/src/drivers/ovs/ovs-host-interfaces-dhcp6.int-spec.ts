import type { ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { missingOvsLab, realPart } from '../../../../../test/support/real-part.js';
import { desiredState } from '../../model/desired-state.js';
import type { HostInterface } from '../../model/host-state.js';
import type { PoolTopology, TopologyHostInterface } from '../../model/topology.js';
import { reconcile } from '../../reconcile.js';
import { closeDhcpLab, pollUntil, processAlive, startDnsmasq } from '../../testing/dhcp-lab.js';
import { NetnsLab } from '../../testing/netns-lab.js';
import { NO_TX_CHECKSUM } from '../../testing/netns-scripts.js';
import { managementInterface, topology } from '../../testing/topology-builder.js';

/*
 * IPv6 on a management interface on real Open vSwitch (issue 21): DHCPv6 with the host's own
 * `dhclient -6` (beside `dhclient -4`: dual stack) from Debian's dnsmasq on the physical
 * switch's side, which also advertises the prefix (--enable-ra, `slaac`: both the M and the A
 * flag), the DNS servers of both leases read for the resolver; a client -6 killed by hand is
 * started again; then SLAAC (`autoconf`): the DHCPv6 lease released, router advertisements
 * accepted and addresses formed on the device in the host's namespace, a setting undone by
 * hand put back by the next pass.
 */

const lab = new NetnsLab(`d6${process.pid}`);
const part = realPart(
  'OVS host interfaces over DHCPv6 and SLAAC',
  missingOvsLab(['ovs-vsctl', 'ovs-vswitchd', 'ip', 'ping', 'dhclient', 'dnsmasq', 'sysctl']),
);

const PREFIX = '2001:db8:21::';
const DUAL = { ipv4: { mode: 'dhcp' as const }, ipv6: { mode: 'dhcp' as const }, dns: [] };
const LEASED6 = /^2001:db8:21::1[0-9a-f]{2}\/128$/;
const LEASED4 = /^192\.0\.2\.(1[0-4]\d|150)\/24$/;

const pool = (iface: TopologyHostInterface): PoolTopology => {
  const built = topology().host('h1', ['eth0']).build();
  return { ...built, hosts: built.hosts.map((h) => ({ ...h, interfaces: [iface] })) };
};

describe.skipIf(part.skip)(
  'OVS driver: DHCPv6 and SLAAC on a host interface, real dhclient -6',
  () => {
    let dir = '';
    let dnsmasq: ChildProcess | undefined;
    const dhcpDir = () => join(dir, 'dhcp');
    const driver = () => lab.host('h1').driver;
    const inHost = (command: string[]) => lab.exec(lab.host('h1').netns, command);
    const clientPid = async (prefix = 'dhclient6'): Promise<number | undefined> => {
      const text = await readFile(join(dhcpDir(), `${prefix}-mgmt0.pid`), 'utf8').catch(() => '');
      return text.trim() ? Number(text) : undefined;
    };
    const alive = processAlive;
    /** dnsmasq's lease file; its DHCPv6 lines carry the address (`2001:db8:21::1xx`). */
    const serverLeases = async (): Promise<string> =>
      readFile(join(dir, 'dnsmasq.leases'), 'utf8').catch(() => '');
    const mgmt = async (): Promise<HostInterface | undefined> =>
      (await driver().readActual()).interfaces?.find((i) => i.name === 'mgmt0');
    const sysctl = async (key: string) =>
      (await inHost(['sysctl', '-n', `net/ipv6/conf/mgmt0/${key}`])).trim();

    const until = pollUntil;

    beforeAll(async () => {
      part.assertPresent();
      dir = await mkdtemp(join(tmpdir(), 'poolnet-dhcp6-'));
      await lab.start();
      await lab.addHost('h1', ['eth0'], { dhcp: { stateDir: join(dir, 'dhcp') } });
      await lab.addOutsider('192.0.2.1/24');
      // The router's address, out of duplicate address detection at once (dnsmasq needs it).
      await lab.exec(lab.phys, ['ip', '-6', 'addr', 'add', `${PREFIX}1/64`, 'dev', 'sw', 'nodad']);
      // Bad UDP checksums from the veths otherwise (see the IPv4 DHCP int-spec).
      for (const device of ['sw', lab.nicOf('h1', 'eth0')]) {
        await lab.exec(lab.phys, ['python3', '-c', NO_TX_CHECKSUM, device]);
      }
      dnsmasq = startDnsmasq(lab, dir, [
        '--dhcp-range=192.0.2.100,192.0.2.150,255.255.255.0,2m',
        `--dhcp-range=${PREFIX}100,${PREFIX}1ff,slaac,64,2m`,
        '--enable-ra',
        '--dhcp-option=option:router,192.0.2.1',
        '--dhcp-option=option:dns-server,192.0.2.53',
        `--dhcp-option=option6:dns-server,[${PREFIX}53]`,
      ]);
    }, 120_000);

    afterAll(() => closeDhcpLab(lab, dir, dnsmasq));

    it('leases an IPv6 address with dhclient -6 beside the IPv4 one; both leases give DNS servers', async () => {
      const started = performance.now();
      await lab.converge(pool(managementInterface(DUAL)));
      const v6 = (i: HostInterface | undefined) => i?.leased?.filter((a) => a.includes(':')) ?? [];
      const { value: read } = await until(mgmt, (i) => v6(i).length === 1, 'a DHCPv6 lease');
      const leaseMs = Math.round(performance.now() - started);
      console.log(`dhcp6: leased ${v6(read)[0]} ${leaseMs} ms after the apply began`);
      expect(v6(read)[0]).toMatch(LEASED6);
      // The router advertises the prefix with the A flag too: a dhcp interface forms no SLAAC
      // address (autoconf 0), it holds the server's lease alone.
      expect(await sysctl('accept_ra')).toBe('2');
      expect(await sysctl('autoconf')).toBe('0');
      expect(read!.ipv6).toEqual({ mode: 'dhcp' });
      expect(read!.ipv4).toEqual({ mode: 'dhcp' });
      expect(await serverLeases()).toContain(v6(read)[0]!.split('/')[0]);
      const { value: both } = await until(
        mgmt,
        (i) => (i?.leased ?? []).some((a) => LEASED4.test(a)),
        'the IPv4 lease too',
      );
      expect(both!.leased).toHaveLength(2);
      expect(
        await reconcile(driver(), desiredState(pool(managementInterface(DUAL)), 'h1')),
      ).toEqual([]);
      const { value: dns, ms: dnsMs } = await until(
        () => driver().leasedDns(),
        (found) => (found.get('mgmt0') ?? []).length === 2,
        'the DNS servers of both leases',
      );
      console.log(`dhcp6: DNS servers of both leases read ${dnsMs} ms after the IPv6 lease`);
      expect(dns.get('mgmt0')).toEqual(['192.0.2.53', `${PREFIX}53`]);
      // The default route comes from the router advertisement (DHCPv6 carries none).
      const { value: route } = await until(
        () => inHost(['ip', '-6', 'route', 'show', 'default']),
        (text) => text.includes('dev mgmt0'),
        'an IPv6 default route from the advertisement',
      );
      expect(route).toContain('via fe80::');
      expect(await lab.ping(lab.phys, v6(read)[0]!.split('/')[0]!)).toBe(true);
    });

    it('starts a dhclient -6 killed by hand again at the next pass, leaving -4 alone', async () => {
      const desired = desiredState(pool(managementInterface(DUAL)), 'h1');
      const pid = (await clientPid())!;
      const four = (await clientPid('dhclient'))!;
      process.kill(pid, 'SIGKILL');
      await until(
        () => Promise.resolve(alive(pid)),
        (up) => !up,
        'the client to die',
      );
      const unserved = await mgmt();
      expect(unserved?.ipv6).toEqual({ mode: 'none' });
      expect(unserved?.ipv4).toEqual({ mode: 'dhcp' });
      const ops = await reconcile(driver(), desired);
      expect(ops.map((op) => op.kind)).toEqual(['setHostInterface']);
      const again = (await clientPid())!;
      expect(again).not.toBe(pid);
      expect(alive(again)).toBe(true);
      expect(await clientPid('dhclient')).toBe(four);
      expect(await reconcile(driver(), desired)).toEqual([]);
    });

    it('switches IPv6 to autoconf: the DHCPv6 lease is released, SLAAC forms an address', async () => {
      const pid = (await clientPid())!;
      const leased = (await mgmt())!.leased!.find((a) => a.includes(':'))!;
      const autoconf = managementInterface({ ...DUAL, ipv6: { mode: 'autoconf' } });
      const started = performance.now();
      await lab.converge(pool(autoconf));
      expect(alive(pid)).toBe(false);
      expect(await clientPid()).toBeUndefined();
      expect(await serverLeases()).not.toContain(leased.split('/')[0]); // released
      expect(await sysctl('accept_ra')).toBe('2');
      expect(await sysctl('autoconf')).toBe('1');
      const slaac = (i: HostInterface | undefined) =>
        i?.leased?.filter((a) => a.startsWith('2001:db8:21:') && a.endsWith('/64')) ?? [];
      const { value: read } = await until(mgmt, (i) => slaac(i).length > 0, 'a SLAAC address');
      console.log(
        `dhcp6: SLAAC formed ${slaac(read)[0]} ${Math.round(performance.now() - started)} ms ` +
          'after the apply began',
      );
      expect(read!.ipv6).toEqual({ mode: 'autoconf' });
      expect(read!.leased).not.toContain(leased);
      // Only the IPv4 lease's DNS is left (SLAAC carries none here).
      expect((await driver().leasedDns()).get('mgmt0')).toEqual(['192.0.2.53']);

      // Router advertisements refused by hand: read as not configured, accepted again.
      await inHost(['sysctl', '-qw', 'net/ipv6/conf/mgmt0/accept_ra=0']);
      expect((await mgmt())?.ipv6).toEqual({ mode: 'none' });
      const desired = desiredState(pool(autoconf), 'h1');
      expect((await reconcile(driver(), desired)).map((op) => op.kind)).toEqual([
        'setHostInterface',
      ]);
      expect(await sysctl('accept_ra')).toBe('2');
      expect(await reconcile(driver(), desired)).toEqual([]);
    });

    it('switches it to static: both clients stop and release; the addresses are the static ones', async () => {
      const four = (await clientPid('dhclient'))!;
      const ipv6 = { mode: 'static' as const, address: `${PREFIX}11/64` };
      await lab.converge(pool(managementInterface({ ipv6, dns: [] })));
      expect(alive(four)).toBe(false);
      expect(await clientPid('dhclient')).toBeUndefined();
      expect(await readdir(dhcpDir())).not.toContain('dhclient-mgmt0.dns');
      const addresses = await inHost([
        'ip',
        '-6',
        '-o',
        'addr',
        'show',
        'dev',
        'mgmt0',
        'scope',
        'global',
      ]);
      expect(addresses).toContain(`${PREFIX}11/64`);
      expect((await mgmt())?.leased).toBeUndefined();
    });
  },
);
