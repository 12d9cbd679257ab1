/**
 * A member host on real Open vSwitch whose management interface is in DHCP mode, configured
 * through the pool's log (issue 21): the member host runs dhclient on the internal port, the
 * lease from Debian's dnsmasq on the physical switch's side shows in the host's /status (the
 * periodic report's `interfaces[].leased`), the physical side pings it, and the interface's
 * DNS servers are in the host's resolver file (RESOLV_CONF, in its state dir here). Then dual
 * stack without DNS servers in the log: `dhclient -6` leases from the same dnsmasq (which also
 * advertises the prefix), and the DNS servers both leases carry end up in the resolver file.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NetnsLab } from '../../libs/vswitch/src/testing/netns-lab.js';
import { NO_TX_CHECKSUM } from '../../libs/vswitch/src/testing/netns-scripts.js';
import { startPool, until, type MemberHost, type TestPool } from './support/member-host-pool.js';
import { missingOvsLab, realPart } from '../support/real-part.js';

const ovs = realPart(
  'Open vSwitch with dhclient and dnsmasq',
  missingOvsLab(['ovs-vsctl', 'ovsdb-server', 'ip', 'ping', 'dhclient', 'dnsmasq']),
);

interface InterfaceStatus {
  name: string;
  leased?: string[];
}

describe.skipIf(ovs.skip)('a member host leasing its management address over DHCP', () => {
  beforeAll(() => ovs.assertPresent());
  const pool = `dhcp-${randomUUID().slice(0, 8)}`;
  const lab = new NetnsLab(`md${process.pid % 100000}`);
  let p: TestPool;
  let h1: MemberHost;
  let dnsmasq: ChildProcess | undefined;

  beforeAll(async () => {
    p = await startPool(pool);
    await lab.start();
    await p.ok('CreatePool', { poolId: pool, name: 'DHCP pool' });
    const labHost = await lab.addHost('h1', ['eth0']);
    await lab.addOutsider('192.0.2.1/24');
    await lab.exec(lab.phys, [
      'ip',
      '-6',
      'addr',
      'add',
      '2001:db8:21::1/64',
      'dev',
      'sw',
      'nodad',
    ]);
    // The lab's veths leave UDP checksums to absent hardware (see the driver's DHCP int-spec).
    for (const device of ['sw', lab.nicOf('h1', 'eth0')]) {
      await lab.exec(lab.phys, ['python3', '-c', NO_TX_CHECKSUM, device]);
    }
    dnsmasq = spawn(
      'ip',
      [
        ...['netns', 'exec', lab.phys, 'dnsmasq', '--keep-in-foreground', '--conf-file=/dev/null'],
        ...['--port=0', '--interface=sw', '--bind-interfaces', '--user=root', '--group=root'],
        ...['--dhcp-range=192.0.2.100,192.0.2.150,255.255.255.0,2m', '--no-ping'],
        '--dhcp-option=option:router,192.0.2.1',
        '--dhcp-option=option:dns-server,192.0.2.54',
        ...['--dhcp-range=2001:db8:21::100,2001:db8:21::1ff,64,2m', '--enable-ra'],
        '--dhcp-option=option6:dns-server,[2001:db8:21::53]',
        `--dhcp-leasefile=${join(labHost.runDir, 'dnsmasq.leases')}`,
        `--pid-file=${join(labHost.runDir, 'dnsmasq.pid')}`,
      ],
      { stdio: 'ignore' },
    );
    h1 = await p.startHost('h1', {
      DRIVER: 'ovs',
      OVS_RUN_DIR: labHost.runDir,
      NETNS: labHost.netns,
      PIF_DEVICES: 'eth0',
      DRIFT_INTERVAL_MS: '2000',
      // Leases (and their DNS servers) are read at each periodic report: every 2 s here.
      REPORT_INTERVAL_MS: '2000',
    });
    await until(async () => (await h1.status()).member === true, 'h1 to join');
  }, 180_000);

  afterAll(async () => {
    // The dhclient daemons the member host started outlive it (as on a hypervisor): stopped by
    // the pids in its state dir, read before the pool's close removes that.
    const dhcp = h1 ? join(h1.stateDir, 'dhcp') : '';
    const pids: number[] = [];
    for (const file of dhcp ? await readdir(dhcp).catch(() => [] as string[]) : []) {
      if (file.endsWith('.pid')) pids.push(Number(await readFile(join(dhcp, file), 'utf8')));
    }
    await p?.close();
    for (const pid of pids.filter((pid) => pid > 0)) process.kill(pid, 'SIGTERM');
    if (dnsmasq?.pid) process.kill(dnsmasq.pid, 'SIGTERM');
    await lab.stop();
  });

  /** h1's management interface on eth0 as `data` has it, the answer awaited from the hosts. */
  const configureManagement = (data: Record<string, unknown>) =>
    p.ok(
      'ConfigureHostInterface',
      { hostId: 'h1', name: 'mgmt0', purpose: 'management', device: 'eth0', ...data },
      { wait: 'hosts', waitTimeoutMs: 30_000 },
    );

  it('leases the address, reports it, answers ping and writes the DNS servers', async () => {
    const started = performance.now();
    await configureManagement({ ipv4: { mode: 'dhcp' }, dns: ['192.0.2.53'] });
    let leased = '';
    await until(async () => {
      const interfaces = (await h1.status()).interfaces as InterfaceStatus[];
      leased = interfaces.find((i) => i.name === 'mgmt0')?.leased?.[0] ?? '';
      return leased !== '';
    }, 'the lease in /status');
    console.log(
      `dhcp e2e: ${leased} in h1's /status ${Math.round(performance.now() - started)} ms ` +
        'after the command was sent',
    );
    expect(leased).toMatch(/^192\.0\.2\.(1[0-4]\d|150)\/24$/);
    expect(await lab.ping(lab.phys, leased.split('/')[0]!)).toBe(true);
    const resolver = await readFile(join(h1.stateDir, 'resolv.conf'), 'utf8');
    expect(resolver).toContain('nameserver 192.0.2.53\n');
    const status = await h1.status();
    expect(status.datapathError).toBeNull();
  });

  it("leases IPv6 too and writes the leases' DNS servers when the log gives none", async () => {
    const started = performance.now();
    await configureManagement({ ipv4: { mode: 'dhcp' }, ipv6: { mode: 'dhcp' }, dns: [] });
    let leased: string[] = [];
    await until(async () => {
      const interfaces = (await h1.status()).interfaces as InterfaceStatus[];
      leased = interfaces.find((i) => i.name === 'mgmt0')?.leased ?? [];
      return leased.some((a) => a.includes(':'));
    }, 'the DHCPv6 lease in /status');
    const v6 = leased.find((a) => a.includes(':'))!;
    console.log(
      `dhcp e2e: ${v6} in h1's /status ${Math.round(performance.now() - started)} ms ` +
        'after the command was sent',
    );
    expect(v6).toMatch(/^2001:db8:21::1[0-9a-f]{2}\/128$/);
    const path = join(h1.stateDir, 'resolv.conf');
    let resolver = '';
    await until(async () => {
      resolver = await readFile(path, 'utf8');
      return resolver.includes('2001:db8:21::53') && resolver.includes('192.0.2.54');
    }, "the leases' DNS servers in the resolver file");
    console.log(
      `dhcp e2e: the leases' DNS servers in the resolver file ` +
        `${Math.round(performance.now() - started)} ms after the command was sent`,
    );
    expect(resolver).toContain('(its DHCP lease)');
    expect(resolver).toContain('nameserver 192.0.2.54\nnameserver 2001:db8:21::53\n');
    expect(resolver).not.toContain('192.0.2.53'); // the log's servers went with the command
    expect(await lab.ping(lab.phys, v6.split('/')[0]!)).toBe(true);
  });
});
