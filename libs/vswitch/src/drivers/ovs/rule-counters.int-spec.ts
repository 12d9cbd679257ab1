import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digest } from '../../model/canonical.js';
import { desiredState } from '../../model/desired-state.js';
import { portName } from '../../model/naming.js';
import { reconcile } from '../../reconcile.js';
import { NetnsLab } from '../../testing/netns-lab.js';
import { cookie, EXEMPT, hex, portKey, ruleCookies, TABLE } from './flows.js';
import { topology } from '../../testing/topology-builder.js';
import type { RuleCounters } from '../driver.js';

const mac = (n: number) => `02:00:00:00:07:${n.toString(16).padStart(2, '0')}`;
const VMS = { a: [1, '10.70.0.1'], b: [2, '10.70.0.2'], c: [3, '10.70.0.3'] } as const;
type Vm = keyof typeof VMS;

/** Pings to A are dropped, except C's; A's UDP rule sees no traffic. All rules are A's. */
function pool() {
  const t = topology().host('h1').external('lan', 'eth0');
  for (const [vm, [n, ipv4]] of Object.entries(VMS)) {
    t.vm(vm, 'h1').vif(`v-${vm}`, vm, 'lan', { mac: mac(n), ipv4, portSecurity: true });
  }
  const toA = { vifId: 'v-a' };
  return t
    .acl('drop-ping', toA, { direction: 'egress', match: { protocol: 'icmp' }, action: 'drop' })
    .acl('allow-c', toA, {
      direction: 'egress',
      priority: 200,
      match: { protocol: 'icmp', cidr: '10.70.0.3/32' },
      action: 'allow',
    })
    .acl('drop-udp', toA, { direction: 'egress', match: { protocol: 'udp' }, action: 'drop' });
}

/**
 * Hits per ACL rule read back from real Open vSwitch (userspace datapath): each rule's flows
 * carry their own cookie, and the driver maps the flow statistics back to the rule.
 */
describe('OVS driver: hit counters per ACL rule (userspace datapath)', () => {
  const lab = new NetnsLab(`pnr${process.pid}`);
  const ns = {} as Record<Vm, string>;
  const host = () => lab.hosts.get('h1')!;
  const hits = async (rule: string): Promise<Omit<RuleCounters, 'port' | 'rule'>> => {
    const found = (await host().driver.ruleCounters()).find((c) => c.rule === rule);
    expect(found?.port ?? portName('v-a')).toBe(portName('v-a'));
    return { packets: found?.packets ?? 0, bytes: found?.bytes ?? 0 };
  };

  beforeAll(async () => {
    await lab.start();
    await lab.addHost('h1');
    for (const [vm, [n, ipv4]] of Object.entries(VMS)) {
      ns[vm as Vm] = await lab.addVm(vm, 'h1', portName(`v-${vm}`), mac(n), `${ipv4}/24`);
    }
    const desired = desiredState(pool().build(), 'h1');
    await reconcile(host().driver, desired);
    expect(digest(await host().driver.readActual())).toBe(digest(desired));
  });
  afterAll(async () => {
    await lab.stop();
  });

  it('lists every rule of the port, at zero before any traffic', async () => {
    const rules = (await host().driver.ruleCounters()).map((c) => [c.port, c.rule]);
    expect(rules).toEqual(
      ['allow-c', 'drop-ping', 'drop-udp'].map((rule) => [portName('v-a'), rule]),
    );
    expect(await hits('drop-ping')).toEqual({ packets: 0, bytes: 0 });
  });

  it("moves a drop rule's counter by the pings it dropped, and only its own", async () => {
    const [drop, allow, udp] = await Promise.all(['drop-ping', 'allow-c', 'drop-udp'].map(hits));
    expect(await lab.ping(ns.b, VMS.a[1])).toBe(false);
    const after = await hits('drop-ping');
    // ping -c 3: three echo requests, each a new connection, each dropped (98 bytes a frame).
    expect(after.packets - drop!.packets).toBeGreaterThanOrEqual(3);
    expect(after.bytes - drop!.bytes).toBeGreaterThanOrEqual(3 * 98);
    expect(await hits('allow-c')).toEqual(allow);
    expect(await hits('drop-udp')).toEqual(udp);
  });

  it("moves an allow rule's counter when the traffic it allows passes", async () => {
    const [drop, allow, udp] = await Promise.all(['drop-ping', 'allow-c', 'drop-udp'].map(hits));
    expect(await lab.ping(ns.c, VMS.a[1])).toBe(true);
    const after = await hits('allow-c');
    expect(after.packets - allow!.packets).toBeGreaterThanOrEqual(1);
    expect(after.bytes).toBeGreaterThan(allow!.bytes);
    expect(await hits('drop-ping')).toEqual(drop);
    expect(await hits('drop-udp')).toEqual(udp);
  });

  it('keeps the hits of the rules a change leaves alone: only the changed rule is written', async () => {
    expect(await lab.ping(ns.b, VMS.a[1])).toBe(false);
    const before = await hits('drop-ping');
    expect(before.packets).toBeGreaterThan(0);
    const added = pool()
      .acl(
        'drop-tcp',
        { vifId: 'v-a' },
        {
          direction: 'egress',
          match: { protocol: 'tcp', portFrom: 9 },
          action: 'drop',
        },
      )
      .build();
    const removed = { ...added, acls: added.acls.filter((a) => a.id !== 'drop-udp') };
    for (const topology of [added, removed]) {
      const desired = desiredState(topology, 'h1');
      await reconcile(host().driver, desired);
      expect(digest(await host().driver.readActual())).toBe(digest(desired));
      // By content: the table is exactly the desired pipeline, nothing left of the old rules.
      expect(await host().driver.sweep(desired)).toEqual([]);
      // Rewriting the port's flows (as an index cookie per rule did) would zero this counter.
      expect(await hits('drop-ping')).toEqual(before);
    }
    const rules = (await host().driver.ruleCounters()).map((c) => c.rule);
    expect(rules).toEqual(['allow-c', 'drop-ping', 'drop-tcp']);
  });

  it('stores each rule once on the bridge, reads a port stored the old way (its whole list), and sweeps records no port refers to', async () => {
    const port = portName('v-a');
    const desired = desiredState(pool().build(), 'h1');
    await reconcile(host().driver, desired);
    const bridge = desired.bridges[0]!.name;
    /** An external_ids value as ovs-vsctl prints it: quoted and escaped as a JSON string. */
    const get = async (table: string, name: string, key: string): Promise<string> => {
      const out = await lab.vsctl('h1', ['--if-exists', 'get', table, name, `external_ids:${key}`]);
      return out.trim().startsWith('"') ? (JSON.parse(out.trim()) as string) : out.trim();
    };
    const refs = (await get('Interface', port, 'poolnet-acl-rules')).split(' ');
    expect(refs).toHaveLength(3);
    for (const ref of refs) {
      expect(await get('Bridge', bridge, `poolnet-acl-rule-${ref}`)).toContain('"id":');
    }
    // As an older driver wrote it: the port's rules as one JSON list, no hashes.
    const acls = desired.bridges[0]!.ports.find((p) => p.name === port)!.acls;
    await lab.vsctl('h1', [
      ...['remove', 'Interface', port, 'external_ids', 'poolnet-acl-rules'],
      ...[
        '--',
        'set',
        'Interface',
        port,
        `external_ids:poolnet-acls=${JSON.stringify(JSON.stringify(acls))}`,
      ],
    ]);
    expect(digest(await host().driver.readActual())).toBe(digest(desired));
    expect((await host().driver.ruleCounters()).map((c) => c.rule)).toEqual([
      'allow-c',
      'drop-ping',
      'drop-udp',
    ]);
    // No port refers to the bridge's records now: the sweep removes them, and finds no drift.
    expect(await host().driver.sweep(desired)).toEqual([]);
    for (const ref of refs) expect(await get('Bridge', bridge, `poolnet-acl-rule-${ref}`)).toBe('');
    // The next change of the port's rules writes it the compact way.
    const added = pool()
      .acl(
        'drop-tcp',
        { vifId: 'v-a' },
        { direction: 'egress', match: { protocol: 'tcp' }, action: 'drop' },
      )
      .build();
    await reconcile(host().driver, desiredState(added, 'h1'));
    expect(await get('Interface', port, 'poolnet-acls')).toBe('');
    expect((await get('Interface', port, 'poolnet-acl-rules')).split(' ')).toHaveLength(4);
    expect(digest(await host().driver.readActual())).toBe(digest(desiredState(added, 'h1')));
  });

  it('takes a bridge whose ports carry their own exemptions (an older pipeline) as present, and moves them to the bridge', async () => {
    const port = portName('v-a');
    const desired = desiredState(pool().build(), 'h1');
    await reconcile(host().driver, desired);
    const bridge = desired.bridges[0]!.name;
    // As an older driver left it: no exemptions on the bridge, twelve under the port's acl cookie.
    const base = hex(cookie(bridge, 'base'));
    const sides = [
      [TABLE.fromVmAcl, `in_port=${port}`, EXEMPT.fromVm, TABLE.destination],
      [TABLE.toVmAcl, `reg7=${portKey(port)}`, EXEMPT.toVm, TABLE.deliver],
    ] as const;
    for (const [table, who, matches, next] of sides) {
      for (const match of matches) {
        await lab.ofctl('h1', 'del-flows', bridge, [
          '--strict',
          `cookie=${base}/-1,table=${table},priority=3,${match}`,
        ]);
        await lab.ofctl('h1', 'add-flow', bridge, [
          `cookie=${hex(cookie(port, 'acl'))},table=${table},priority=3,${who},${match},actions=goto_table:${next}`,
        ]);
      }
    }
    const stored = await lab.vsctl('h1', [
      'get',
      'Interface',
      port,
      'external_ids:poolnet-acl-flows',
    ]);
    const count = Number(JSON.parse(stored.trim()) as string) + 12;
    await lab.vsctl('h1', ['set', 'Interface', port, `external_ids:poolnet-acl-flows="${count}"`]);
    // Not rebuilt (that would stop every port for the pass): the bridge and port read as they are.
    expect(digest(await host().driver.readActual())).toBe(digest(desired));
    // The sweep moves the exemptions by content; the next pass rewrites the port's ACL flows.
    expect((await host().driver.sweep(desired)).length).toBe(24);
    await reconcile(host().driver, desired);
    expect(digest(await host().driver.readActual())).toBe(digest(desired));
    expect(await host().driver.sweep(desired)).toEqual([]);
    const priority3 = await lab.ofctl('h1', 'dump-flows', bridge, ['--no-stats']);
    const lines = priority3.split('\n').filter((l) => l.includes('priority=3,'));
    expect(lines).toHaveLength(12);
    expect(lines.every((l) => l.includes(`cookie=${base},`))).toBe(true);
  });

  it('replaces every ACL flow of a port whose flows are not as written', async () => {
    const port = portName('v-a');
    const desired = desiredState(pool().build(), 'h1');
    await reconcile(host().driver, desired);
    // A flow under a rule cookie of the port that no rule of it has: not as written.
    const taken = new Set(ruleCookies(port, ['allow-c', 'drop-ping', 'drop-udp']));
    const stray = ruleCookies(port, ['x', 'y', 'z', 'w']).find((c) => !taken.has(c))!;
    expect(stray & 0xffffffffffffff00n).toBe(cookie(port, 'base'));
    const bridge = desired.bridges[0]!.name;
    await lab.ofctl('h1', 'add-flow', bridge, [
      `cookie=${hex(stray)},table=6,priority=10001,reg7=0x1,udp,tp_dst=7,actions=drop`,
    ]);
    const lost = (await host().driver.readActual()).bridges[0]!.ports.find((p) => p.name === port);
    expect(lost).toMatchObject({ acls: [], aclFlowsLost: true });
    await reconcile(host().driver, desired);
    expect(digest(await host().driver.readActual())).toBe(digest(desired));
    const left = await lab.ofctl('h1', 'dump-flows', bridge, [`cookie=${hex(stray)}/-1`]);
    expect(left).not.toContain('tp_dst=7');
  });
});
