import { describe, expect, it } from 'vitest';
import type { AclRuleView } from '@pool/contracts';
import { buildLookup } from './lookup.js';
import { litMarkup } from './testing/lit-markup.js';
import { renderAdvice } from './render-advice.js';
import { renderHosts } from './render-hosts.js';
import { migrationSteps, renderMigrations } from './render-migrations.js';
import { describeMatch, renderPolicy, type PolicyData } from './render-policy.js';
import { renderPoolOptions, tiles } from './render-summary.js';
import { renderSwitch } from './render-switch.js';
import { renderVms } from './render-vms.js';
import {
  ADDRESS_SETS,
  HOSTS,
  migration,
  NOW,
  SECURITY_GROUPS,
  SWITCH,
  visibleText,
  VMS,
} from './testing/fixtures.js';

const lookup = buildLookup({ hosts: HOSTS, vms: VMS, switch: SWITCH });
const text = visibleText;

describe('renderSwitch', () => {
  const markup = renderSwitch(SWITCH, HOSTS, lookup).value;

  it('shows each network as a segment with its VLAN, MTU and uplink per host', () => {
    expect(markup).toContain(
      '<h3 id="net-net-prod"><a class="page-link" href="#/network/net-prod">prod-vlan-100</a></h3>',
    );
    expect(text(markup)).toContain('external VLAN 100 MTU 9000');
    expect(text(markup)).toContain('host-a eth1 host-b eth1');
    expect(text(markup)).toContain('backplane private no uplink MTU 1500');
  });

  it('tags a network whose default policy is deny, and only that one', () => {
    expect(markup.match(/default deny/g)).toHaveLength(1);
    expect(text(markup)).toContain('prod-vlan-100 external VLAN 100');
    expect(markup).toMatch(/<h3 id="net-net-prod">[\s\S]*default deny[\s\S]*id="net-net-priv"/);
  });

  it('flags an enabled host without an uplink for an external network', () => {
    expect(markup).toMatch(/class="uplink missing"[^>]*>\s*<span class="uplink-host">host-c/);
  });

  it('lists every port with state, VM, MAC, IP and host, in a table with headers', () => {
    expect(markup).toContain('<th scope="col">MAC</th>');
    expect(text(markup)).toContain('pending db-1 02:00:00:00:00:02 — host-b');
    expect(text(markup)).toContain(
      'forwarding web-1 02:00:00:00:00:01 10.0.100.10 host-a ' +
        'QoS in 100 Mbit/s (burst 10 Mbit) · out unlimited port security',
    );
    expect(text(markup)).toContain(
      'pending db-1 02:00:00:00:00:02 — host-b no QoS no port security',
    );
    expect(markup.match(/class="led /g)).toHaveLength(2);
    expect(text(markup)).toContain('1 forwarding 1 pending');
  });

  it('escapes names from users', () => {
    const evil = structuredClone(SWITCH);
    evil.networks[0]!.name = '<script>alert(1)</script>';
    const out = renderSwitch(evil, HOSTS, lookup).value;
    expect(out).not.toContain('<script>');
    expect(out).toContain('&lt;script&gt;');
  });

  it('says so when there is no network', () => {
    expect(renderSwitch({ ...SWITCH, networks: [] }, HOSTS, lookup).value).toContain(
      'No networks yet',
    );
  });
});

describe('renderHosts', () => {
  const markup = renderHosts(HOSTS, 42, NOW).value;

  it('sorts hosts in trouble first and marks their rows red', () => {
    const order = [...markup.matchAll(/<tr data-key="([^"]+)" class="host (\w+)"/g)].map(
      (m) => `${m[1]}:${m[2]}`,
    );
    expect(order).toEqual(['host-b:bad', 'host-c:bad', 'host-a:ok']);
  });

  it('shows applied version against head, lag in events and seconds, and report age', () => {
    expect(text(markup)).toContain('host-b');
    expect(text(markup)).toContain('behind 12 30 / 42 12 ev 40 s 2 s ago');
    expect(text(markup)).toContain('silent 42 / 42 0 5 min 00 s ago');
    expect(markup).toContain('data-since="');
  });

  it('labels the address and the management NIC under the host name', () => {
    expect(text(markup)).toContain('host-a address 198.51.100.6 mgmt NIC 192.0.2.6');
  });

  it('judges no host while the data is stale, and says since when', () => {
    const stale = renderHosts(HOSTS, 42, NOW, NOW - 60_000).value;
    expect(stale).not.toMatch(/class="host (bad|warn|ok)"/);
    expect(stale.match(/class="pill stale"/g)).toHaveLength(3);
    expect(text(stale)).toMatch(/Data stale: no live update since \d\d:\d\d:\d\d/);
    // The last judgement stays available, in the title.
    expect(stale).toMatch(/title="last seen \d\d:\d\d:\d\d: behind 12/);
  });
});

describe('renderVms', () => {
  it('shows where each VM runs, its VIFs and a migration under way', () => {
    const out = text(renderVms(VMS, SWITCH, lookup).value);
    expect(out).toContain('web-1 running host-a eth0 prod-vlan-100 02:00:00:00:00:01 10.0.100.10');
    expect(out).toContain('db-1 running host-b → host-a (requested)');
    expect(out).toContain('idle halted — no VIF');
    expect(out).toContain('10.0.100.10 QoS in 100 Mbit/s (burst 10 Mbit) · out unlimited');
    expect(out).toContain('02:00:00:00:00:02 no QoS no port security');
    expect(out).toContain('port security pnv-00000000a1 on pnb-00000000b1 host-a');
    expect(out).toContain(
      'pnv-00000000a2 on pnb-00000000b1 host-b as vnet3 host-a (pending) (not plugged)',
    );
  });
});

describe('migrations', () => {
  it('marks reached steps done and the next one current', () => {
    expect(migrationSteps(migration())).toEqual([
      { step: 'requested', state: 'done' },
      { step: 'prepared', state: 'current' },
      { step: 'activated', state: 'todo' },
      { step: 'completed', state: 'todo' },
    ]);
    const done = migration({
      status: 'completed',
      versions: { requested: 1, prepared: 2, activated: 3, completed: 4, aborted: null },
    });
    expect(migrationSteps(done).every((s) => s.state === 'done')).toBe(true);
  });

  it('shows where an aborted migration stopped', () => {
    const aborted = migration({
      status: 'aborted',
      reason: 'target ports not ready in 30 s',
      versions: { requested: 1, prepared: 2, activated: null, completed: null, aborted: 3 },
    });
    expect(migrationSteps(aborted)).toEqual([
      { step: 'requested', state: 'done' },
      { step: 'prepared', state: 'done' },
      { step: 'aborted', state: 'failed' },
      { step: 'completed', state: 'skipped' },
    ]);
    const out = text(renderMigrations([aborted], lookup, NOW).value);
    expect(out).toContain('Reason: target ports not ready in 30 s');
    expect(out).toContain('No migration in progress');
  });

  it('lists active migrations before finished ones, with VM and hosts by name', () => {
    const finished = migration({
      id: 'old',
      status: 'completed',
      updatedAt: new Date(NOW - 1000).toISOString(),
      versions: { requested: 1, prepared: 2, activated: 3, completed: 4, aborted: null },
    });
    const out = renderMigrations([finished, migration()], lookup, NOW).value;
    expect(out.indexOf('data-key="mig-1"')).toBeLessThan(out.indexOf('data-key="old"'));
    expect(text(out)).toContain('db-1 host-b → to host-a requested');
  });
});

const ANY = { cidr: null, addressSetId: null, remoteGroupId: null };
const rule = (id: string, priority: number, over: Partial<AclRuleView> = {}): AclRuleView => ({
  id,
  scope: { kind: 'network', networkId: 'net-prod' },
  direction: 'from-vm',
  priority,
  match: { ...ANY, protocol: 'tcp', portFrom: 22, portTo: 22 },
  action: 'drop',
  stateless: false,
  hits: { packets: 0, bytes: 0, hosts: [] },
  ...over,
});

describe('renderPolicy', () => {
  const policy = (acls: AclRuleView[], over: Partial<PolicyData> = {}) =>
    renderPolicy(
      { acls, mirrors: [], securityGroups: null, addressSets: null, switch: null, ...over },
      lookup,
    ).value;

  it('orders rules as packets meet them and names their scope', () => {
    const out = text(policy([rule('low', 10), rule('high', 900)]));
    expect(out.indexOf('900')).toBeLessThan(out.indexOf(' 10 '));
    expect(out).toContain('network prod-vlan-100 from-vm 900 tcp port 22 any address drop 0 0 B');
  });

  it("shows each rule's hits, summed over hosts and per host on hover", () => {
    const hits = {
      packets: 1500,
      bytes: 2_400_000,
      hosts: [
        {
          hostId: 'host-a',
          packets: 1000,
          bytes: 1_600_000,
          updatedAt: new Date(NOW).toISOString(),
        },
        { hostId: 'host-b', packets: 500, bytes: 800_000, updatedAt: new Date(NOW).toISOString() },
      ],
    };
    const out = policy([rule('r', 100, { hits })]);
    expect(text(out)).toContain('tcp port 22 any address drop 1,500 2.4 MB');
    expect(out).toContain(
      `title="${lookup.host('host-a')}: 1,000 packets, 1.6 MB · ${lookup.host('host-b')}: 500 packets, 800 kB"`,
    );
  });

  it('describes matches', () => {
    const match = (over: Partial<AclRuleView['match']>) =>
      describeMatch({ ...rule('r', 1).match, ...over }, names);
    const names = buildLookup({ securityGroups: SECURITY_GROUPS, addressSets: ADDRESS_SETS });
    expect(match({ protocol: 'any', portFrom: null, portTo: null })).toBe('any any address');
    expect(match({ protocol: 'udp', cidr: '10.0.0.0/8', portFrom: 53, portTo: 60 })).toBe(
      'udp ports 53–60 10.0.0.0/8',
    );
    expect(match({ addressSetId: 'as-admin' })).toBe('tcp port 22 set admins');
    expect(match({ protocol: 'icmp', portFrom: null, remoteGroupId: 'sg-web' })).toBe(
      'icmp group web',
    );
    expect(match({ remoteGroupId: 'sg-unknown' })).toBe('tcp port 22 group sg-unknown');
  });

  it('shows mirrors by VIF name', () => {
    const out = policy([], {
      mirrors: [
        {
          id: 'm',
          source: { kind: 'vif', vifId: 'vif-web' },
          direction: 'both',
          destinationVifId: 'vif-db',
          status: { state: 'active', monitorHost: 'host-b', problems: [] },
        },
      ],
    });
    expect(text(out)).toContain('VIF web-1 eth0 (both) ⇒ copied to VIF db-1 eth0');
  });

  it('says whether a mirror copies now, and why not', () => {
    const out = policy([], {
      mirrors: [
        {
          id: 'm',
          source: { kind: 'vif', vifId: 'vif-web' },
          direction: 'both',
          destinationVifId: 'vif-db',
          status: {
            state: 'inactive',
            monitorHost: null,
            problems: [{ code: 'MONITOR_HALTED', message: 'monitor VM db-1 is halted' }],
          },
        },
      ],
    });
    expect(text(out)).toContain(
      'copied to VIF db-1 eth0 inactive MONITOR_HALTED monitor VM db-1 is halted',
    );
  });
});

describe('renderPolicy: security groups, address sets, default policy', () => {
  const names = buildLookup({
    hosts: HOSTS,
    vms: VMS,
    switch: SWITCH,
    securityGroups: SECURITY_GROUPS,
    addressSets: ADDRESS_SETS,
  });
  const groupRule = (id: string, over: Partial<AclRuleView>): AclRuleView =>
    rule(id, 100, {
      scope: { kind: 'group', groupId: 'sg-web' },
      match: { ...ANY, protocol: 'any', portFrom: null, portTo: null },
      action: 'allow',
      ...over,
    });
  const acls = [
    groupRule('out', { direction: 'from-vm' }),
    groupRule('ping', {
      direction: 'to-vm',
      match: { ...groupRule('x', {}).match, protocol: 'icmp', remoteGroupId: 'sg-web' },
      stateless: true,
    }),
  ];
  const out = renderPolicy(
    {
      acls,
      mirrors: [],
      securityGroups: SECURITY_GROUPS,
      addressSets: ADDRESS_SETS,
      switch: SWITCH,
    },
    names,
  ).value;

  it("shows each network's default policy", () => {
    expect(text(out)).toContain('Default policy prod-vlan-100 deny backplane allow');
  });

  it('names a group scope and a remote group in the rule table, and marks stateless rules', () => {
    expect(text(out)).toContain('group web to-vm 100 icmp group web allow stateless 0 0 B');
    expect(text(out)).toContain('group web from-vm 100 any any address allow 0 0 B');
  });

  it('lists groups by name with default policy, members by VM and VIF, and their rules', () => {
    /** The text of the group's row onwards. */
    const from = (key: string) => text(out.slice(out.lastIndexOf('<tr', out.indexOf(key))));
    const web = from('data-key="group-sg-web"');
    expect(web).toMatch(
      /^web deny web-1 eth0 from-vm 100 any any address allow to-vm 100 icmp group web allow/,
    );
    expect(from('data-key="group-sg-idle"')).toMatch(/^idle allow no member no rule/);
    expect(out.indexOf('data-key="group-sg-idle"')).toBeLessThan(
      out.indexOf('data-key="group-sg-web"'),
    );
  });

  it('lists address sets with their CIDRs, an empty one as matching nothing', () => {
    expect(text(out)).toContain('admins 10.0.0.0/8, 2001:db8::/32');
    expect(text(out)).toContain('nobody empty: matches nothing');
  });

  it('escapes group and set names', () => {
    const evil = [{ ...SECURITY_GROUPS[0]!, name: '<img src=x>' }];
    const markup = renderPolicy(
      { acls: [], mirrors: [], securityGroups: evil, addressSets: null, switch: null },
      buildLookup({ securityGroups: evil }),
    ).value;
    expect(markup).not.toContain('<img');
    expect(markup).toContain('&lt;img src=x&gt;');
  });
});

describe('advice', () => {
  it('names hosts whose NIC carries several traffic types', () => {
    const out = text(
      litMarkup(
        renderAdvice([
          {
            hostId: 'host-c',
            hostName: 'host-c',
            device: 'eth0',
            traffic: ['management', 'vm'],
            message: 'eth0 carries management and vm traffic: dedicate a NIC',
          },
        ]),
      ),
    );
    expect(out).toContain('host-c eth0 carries management vm dedicate a NIC');
    expect(litMarkup(renderAdvice([]))).toContain('a NIC per traffic type');
  });
});

describe('summary', () => {
  it('counts hosts in sync, ports forwarding and VMs running', () => {
    const t = tiles(
      { pool: null, hosts: HOSTS, switch: SWITCH, vms: VMS, migrations: [migration()] },
      NOW,
    );
    expect(t.find((x) => x.label === 'Hosts in sync')).toMatchObject({
      value: '1/3',
      severity: 'bad',
    });
    expect(t.find((x) => x.label === 'Ports forwarding')).toMatchObject({ value: '1/2' });
    expect(t.find((x) => x.label === 'VMs running')).toMatchObject({ value: '2/3' });
    expect(t.find((x) => x.label === 'Migrations')).toMatchObject({ value: '1' });
  });

  it('says the hosts data is stale instead of counting hosts in sync', () => {
    const input = { pool: null, hosts: HOSTS, switch: SWITCH, vms: VMS, migrations: [] };
    const hosts = tiles(input, NOW, NOW - 40_000).find((x) => x.label === 'Hosts in sync');
    expect(hosts).toMatchObject({ value: 'stale', severity: 'stale' });
    expect(hosts?.detail).toMatch(/^no live data since \d\d:\d\d:\d\d$/);
  });

  it('marks the selected pool in the picker', () => {
    const pools = [
      { id: 'a', name: 'Alpha', version: 1, hosts: 1, networks: 0, vms: 0, vifs: 0 },
      { id: 'b', name: 'Beta', version: 1, hosts: 2, networks: 0, vms: 3, vifs: 0 },
    ];
    const out = renderPoolOptions(pools, 'b').value;
    expect(out).toMatch(/<option value="b" selected>\s*Beta \(2 hosts, 3 VMs\)/);
    expect(out).not.toMatch(/value="a" selected/);
  });
});
