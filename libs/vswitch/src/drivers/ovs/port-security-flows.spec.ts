import { describe, expect, it } from 'vitest';
import { eui64LinkLocal, portSecurityPolicy, securedAddresses } from '../../model/port-security.js';
import { CASES, SECURED, V4_ONLY } from '../../testing/port-security-cases.js';
import { digest } from '../../model/canonical.js';
import { desiredState } from '../../model/desired-state.js';
import { reconcile } from '../../reconcile.js';
import { topology } from '../../testing/topology-builder.js';
import { MemoryDatapath } from '../memory/memory-datapath.js';
import { MemoryVSwitchDriver } from '../memory/memory-driver.js';
import { admits } from '../memory/port-admission.js';
import { securityFlows } from './port-security-flows.js';

const matchesOf = (flows: string[]) =>
  flows.map((f) =>
    f.replace(/^add cookie=0x[0-9a-f]+,table=0,/, '').replace(/,?in_port=pnv-a/, ''),
  );

describe('port security policy', () => {
  it('derives the EUI-64 link-local from the MAC, as a guest forms it', () => {
    expect(eui64LinkLocal('02:00:00:00:00:01')).toBe('fe80::ff:fe00:1');
    expect(eui64LinkLocal('52:54:00:12:34:56')).toBe('fe80::5054:ff:fe12:3456');
  });

  it('groups addresses by the MAC they are sent from, pairs included', () => {
    const { identities, ipLocked } = portSecurityPolicy(SECURED);
    expect(ipLocked).toBe(true);
    expect(identities).toEqual([
      {
        mac: '02:00:00:00:00:01',
        ipv4: ['10.50.0.1', '10.50.0.11', '10.50.0.100'],
        ipv6: ['fe80::ff:fe00:1', 'fd00::1'],
      },
      { mac: '02:00:00:00:00:aa', ipv4: ['10.50.0.101'], ipv6: [] },
    ]);
  });

  it('locks a VIF without addresses to its MAC only', () => {
    expect(portSecurityPolicy({ mac: '02:00:00:00:00:01' }).ipLocked).toBe(false);
  });

  it('canonicalises further addresses and pairs, and leaves them out when empty', () => {
    expect(securedAddresses({ extraIps: [], allowedPairs: [] })).toEqual({});
    expect(
      securedAddresses({
        extraIps: ['FD00:0::5', '10.0.0.2', '10.0.0.2'],
        allowedPairs: [{ ip: '10.0.0.9', mac: '02:00:00:00:00:AA' }, { ip: '10.0.0.8' }],
      }),
    ).toEqual({
      extraIps: ['10.0.0.2', 'fd00::5'],
      allowedPairs: [{ ip: '10.0.0.8' }, { ip: '10.0.0.9', mac: '02:00:00:00:00:aa' }],
    });
  });
});

describe('memory datapath admission', () => {
  const datapath = new MemoryDatapath();
  datapath.apply({ kind: 'createBridge', bridge: 'b', networkId: 'n', mtu: 1500 });
  for (const [port, address] of [
    ['secured', SECURED],
    ['v4only', V4_ONLY],
  ] as const) {
    datapath.apply({ kind: 'addPort', bridge: 'b', port, vifId: port, vmId: port });
    datapath.apply({ kind: 'setPortAddress', bridge: 'b', port, address });
    datapath.apply({ kind: 'setPortSecurity', bridge: 'b', port, enabled: true, address });
    datapath.apply({ kind: 'setPortForwarding', bridge: 'b', port, forwarding: true });
  }

  it.each(CASES.map((c) => [c.name, c] as const))('%s', (_, c) => {
    expect(datapath.admits(c.from, c.frame)).toBe(c.delivered);
  });

  it('admits anything from a forwarding port without port security, nothing while pending', () => {
    const spoof = CASES.find((c) => c.name === 'IPv4 source spoof')!.frame;
    expect(admits({ mac: SECURED.mac }, spoof)).toBe(true);
    datapath.apply({
      kind: 'setPortSecurity',
      bridge: 'b',
      port: 'secured',
      enabled: false,
      address: SECURED,
    });
    expect(datapath.admits('secured', spoof)).toBe(true);
    datapath.apply({ kind: 'setPortForwarding', bridge: 'b', port: 'secured', forwarding: false });
    expect(datapath.admits('secured', spoof)).toBe(false);
  });
});

describe('securityFlows', () => {
  const flows = matchesOf(securityFlows('pnv-a', SECURED));

  it('drops everything from the port below its allows', () => {
    expect(flows).toContain('priority=50000,actions=drop');
  });

  it('admits each IPv4 source with the MAC it belongs to, ARP alike', () => {
    for (const [mac, ip] of [
      ['02:00:00:00:00:01', '10.50.0.1'],
      ['02:00:00:00:00:01', '10.50.0.11'],
      ['02:00:00:00:00:01', '10.50.0.100'],
      ['02:00:00:00:00:aa', '10.50.0.101'],
    ]) {
      expect(flows).toContain(`priority=50010,dl_src=${mac},ip,nw_src=${ip},actions=goto_table:1`);
      expect(flows).toContain(
        `priority=50010,dl_src=${mac},arp,arp_sha=${mac},arp_spa=${ip},actions=goto_table:1`,
      );
    }
  });

  it('admits IPv6 from its addresses and its EUI-64 link-local only, never fe80::/10', () => {
    const v6 = flows.filter((f) => f.includes(',ipv6,'));
    expect(v6).toEqual([
      'priority=50010,dl_src=02:00:00:00:00:01,ipv6,ipv6_src=fe80::ff:fe00:1,actions=goto_table:1',
      'priority=50010,dl_src=02:00:00:00:00:01,ipv6,ipv6_src=fd00::1,actions=goto_table:1',
    ]);
  });

  it('admits no IPv6 at all from a VIF that lists only IPv4', () => {
    const v4only = matchesOf(securityFlows('pnv-a', V4_ONLY));
    expect(v4only.filter((f) => f.includes('ipv6') && f.endsWith('goto_table:1'))).toEqual([]);
  });

  it('guards neighbour discovery: NA targets its own addresses with its MAC or no option', () => {
    const na = flows.filter((f) => f.includes('icmp_type=136') && f.endsWith('goto_table:1'));
    expect(na).toHaveLength(2 * 2 * 2);
    expect(na.every((f) => /nd_target=(fe80::ff:fe00:1|fd00::1),/.test(f))).toBe(true);
    expect(na.every((f) => /nd_tll=(02:00:00:00:00:01|00:00:00:00:00:00),/.test(f))).toBe(true);
    expect(flows).toContain('priority=50020,icmp6,icmp_type=136,actions=drop');
    expect(flows).toContain('priority=50020,icmp6,icmp_type=135,actions=drop');
  });

  it('drops router advertisements, redirects and DHCP server replies above every allow', () => {
    for (const guard of [
      'icmp6,icmp_type=134',
      'icmp6,icmp_type=137',
      'udp,tp_src=67,tp_dst=68',
      'udp6,tp_src=547,tp_dst=546',
    ]) {
      expect(flows).toContain(`priority=50040,${guard},actions=drop`);
    }
  });
});

describe('further addresses and pairs in the desired state', () => {
  const pool = (extra: { extraIps?: string[] }) =>
    topology()
      .host('h1', [])
      .private('lan')
      .vm('vm', 'h1')
      .vif('v', 'vm', 'lan', { ...SECURED, ...extra, portSecurity: true })
      .build();

  it('converges the memory driver to them and reads them back equal', async () => {
    const driver = new MemoryVSwitchDriver();
    const desired = desiredState(pool({}), 'h1');
    await reconcile(driver, desired);
    expect(digest(await driver.readActual())).toBe(digest(desired));
    expect(await reconcile(driver, desired)).toEqual([]);
  });

  it('rewrites port security when only a further address changes', async () => {
    const driver = new MemoryVSwitchDriver();
    await reconcile(driver, desiredState(pool({}), 'h1'));
    const ops = await reconcile(driver, desiredState(pool({ extraIps: ['10.50.0.12'] }), 'h1'));
    expect(ops.map((op) => op.kind)).toEqual(['setPortAddress', 'setPortSecurity']);
  });
});
