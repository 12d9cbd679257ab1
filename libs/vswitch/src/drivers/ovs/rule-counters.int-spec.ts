import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digest } from '../../model/canonical.js';
import { desiredState } from '../../model/desired-state.js';
import { portName } from '../../model/naming.js';
import { reconcile } from '../../reconcile.js';
import { NetnsLab } from '../../testing/netns-lab.js';
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
});
