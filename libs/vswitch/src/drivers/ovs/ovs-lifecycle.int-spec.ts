import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digest } from '../../model/canonical.js';
import { desiredState } from '../../model/desired-state.js';
import { bridgeName, portName } from '../../model/naming.js';
import type { MigrationPhase } from '../../model/topology.js';
import { reconcile, reconcileFully } from '../../reconcile.js';
import { NetnsLab } from '../../testing/netns-lab.js';
import { topology, type TopologyBuilder } from '../../testing/topology-builder.js';

const mac = (n: number) => `02:00:00:00:00:${n.toString(16).padStart(2, '0')}`;
const ip = (n: number) => `10.10.0.${n}`;
const port = (vm: string) => portName(`v-${vm}`);
const N10 = bridgeName('n10');

interface Options {
  migration?: MigrationPhase;
  qos?: boolean;
  mirror?: boolean;
}

/** a (port security) and mon on h1, b on h2, mig moving h1 → h2; all on VLAN 10. */
function pool({ migration, qos, mirror }: Options = {}): TopologyBuilder {
  const t = topology()
    .host('h1')
    .host('h2')
    .external('n10', 'eth0', 10)
    .vm('a', 'h1')
    .vm('b', 'h2')
    .vm('mon', 'h1')
    .vm('mig', 'h1')
    .vif('v-a', 'a', 'n10', {
      mac: mac(1),
      ipv4: ip(1),
      portSecurity: true,
      qos: qos
        ? { ingressKbps: 200, ingressBurstKb: 20, egressKbps: 10_000, egressBurstKb: 1000 }
        : undefined,
    })
    .vif('v-b', 'b', 'n10', { mac: mac(2), ipv4: ip(2) })
    .vif('v-mon', 'mon', 'n10', { mac: mac(9), ipv4: ip(9) })
    .vif('v-mig', 'mig', 'n10', { mac: mac(7), ipv4: ip(7), portSecurity: true });
  if (migration) t.migrate('mig', 'h1', 'h2', migration);
  if (mirror) t.mirror('watch-a', { vifId: 'v-a' }, 'v-mon', 'ingress');
  return t;
}

describe('OVS driver: drift, migration, QoS and mirrors on real Open vSwitch', () => {
  const lab = new NetnsLab(`pnl${process.pid}`);
  const ns: Record<string, string> = {};

  /** Converges the hosts in order (a source before its target) and checks the read-back. */
  async function converge(builder: TopologyBuilder, hosts = ['h1', 'h2']): Promise<void> {
    for (const id of hosts) {
      const { driver } = lab.host(id);
      const desired = desiredState(builder.build(), id);
      await reconcile(driver, desired);
      expect(digest(await driver.readActual())).toBe(digest(desired));
      // Nothing left for the planner, nor for the sweep by content: what apply installs for
      // pending ports, meters and mirrors is exactly the pipeline the drift pass expects.
      expect(await reconcileFully(driver, desired)).toEqual({ operations: [], findings: [] });
    }
  }
  const txPackets = async (host: string, name: string) =>
    (await lab.host(host).driver.counters()).find((c) => c.port === name)?.txPackets ?? 0;

  beforeAll(async () => {
    await lab.start();
    await lab.addHost('h1');
    await lab.addHost('h2');
    ns.a = await lab.addVm('a', 'h1', port('a'), mac(1), `${ip(1)}/24`);
    ns.b = await lab.addVm('b', 'h2', port('b'), mac(2), `${ip(2)}/24`);
    ns.mon = await lab.addVm('mon', 'h1', port('mon'), mac(9), `${ip(9)}/24`);
    // One VM, two instances: the hypervisor's copy on each side of the migration.
    ns.migSource = await lab.addVm('mig-src', 'h1', port('mig'), mac(7), `${ip(7)}/24`);
    ns.migTarget = await lab.addVm('mig-dst', 'h2', port('mig'), mac(7), `${ip(7)}/24`);
    await converge(pool());
  });
  afterAll(() => lab.stop());

  it('repairs a port deleted by hand, a wiped flow table and a MAC edited in OVSDB', async () => {
    expect(await lab.ping(ns.a!, ip(2))).toBe(true);
    await lab.vsctl('h1', ['del-port', port('a')]);
    expect(await lab.ping(ns.a!, ip(2))).toBe(false);
    await converge(pool());
    expect(await lab.ping(ns.a!, ip(2))).toBe(true);

    await lab.ofctl('h2', 'del-flows', N10);
    expect(await lab.ping(ns.a!, ip(2))).toBe(false);
    await converge(pool());
    expect(await lab.ping(ns.a!, ip(2))).toBe(true);

    await lab.vsctl('h1', [
      'set',
      'Interface',
      port('a'),
      'external_ids:attached-mac="02:00:00:00:00:66"',
    ]);
    const repair = await reconcile(lab.host('h1').driver, desiredState(pool().build(), 'h1'));
    expect(repair.map((op) => op.kind)).toEqual(['setPortAddress', 'setPortSecurity']);
  });

  it('keeps the target port pending until activation, then moves forwarding to it', async () => {
    const forwardingOf = async (host: string) =>
      (await lab.host(host).driver.readActual()).bridges[0]?.ports.find(
        (p) => p.name === port('mig'),
      )?.forwarding;
    await converge(pool({ migration: 'requested' }));
    expect(await forwardingOf('h2')).toBe(false);
    const before = await txPackets('h2', port('mig'));
    expect(await lab.ping(ns.migSource!, ip(2))).toBe(true);
    expect(await lab.ping(ns.b!, ip(7))).toBe(true);
    expect(await lab.ping(ns.migTarget!, ip(2))).toBe(false);
    // Not even a broadcast reached the pending port.
    expect(await txPackets('h2', port('mig'))).toBe(before);
    // The physical switch learnt the VM's MAC behind h1's NIC.
    expect(await lab.switchPortOf(mac(7))).toBe(lab.nicOf('h1'));

    // Break before make: at `prepared` the source holds its port too, so no moment exists in
    // which both hosts forward, whatever order they apply the next event in.
    await converge(pool({ migration: 'prepared' }));
    expect(await forwardingOf('h1')).toBe(false);
    expect(await forwardingOf('h2')).toBe(false);
    expect(await lab.ping(ns.migSource!, ip(2))).toBe(false);
    expect(await lab.ping(ns.migTarget!, ip(2))).toBe(false);

    // An abort from `prepared` gives the source its forwarding back and drops the target's port.
    await converge(pool());
    expect(await forwardingOf('h1')).toBe(true);
    expect(await forwardingOf('h2')).toBeUndefined();
    expect(await lab.ping(ns.migSource!, ip(2))).toBe(true);

    await converge(pool({ migration: 'requested' }));
    await converge(pool({ migration: 'prepared' }));
    await converge(pool({ migration: 'activated' }), ['h1', 'h2']);
    // The target announced the VM's MAC as it started forwarding: before the VM sent anything
    // from there, the physical switch already sends its traffic to h2.
    expect(await lab.switchPortOf(mac(7))).toBe(lab.nicOf('h2'));
    expect(await forwardingOf('h2')).toBe(true);
    expect(await forwardingOf('h1')).toBeUndefined();
    expect(await lab.ping(ns.migTarget!, ip(2))).toBe(true);
    expect(await lab.ping(ns.migSource!, ip(2))).toBe(false);
  });

  it('polices ingress with a meter, shapes egress with linux-htb, and cleans both up', async () => {
    expect(await lab.floodLoss(ns.a!, ip(2))).toBeLessThan(0.2);
    await converge(pool({ migration: 'activated', qos: true }));
    expect(await lab.floodLoss(ns.a!, ip(2))).toBeGreaterThan(0.4);
    const classes = await lab.exec(lab.host('h1').netns, ['tc', 'class', 'show', 'dev', port('a')]);
    expect(classes).toContain('ceil 10Mbit');

    await converge(pool({ migration: 'activated' }));
    expect(await lab.floodLoss(ns.a!, ip(2))).toBeLessThan(0.2);
    expect((await lab.ofctl('h1', 'dump-meters', N10)).trim().split('\n')).toHaveLength(1);
    expect(await lab.vsctl('h1', ['--columns=_uuid', 'list', 'QoS'])).toBe('');
  });

  it('mirrors what a VIF sends to a monitor VIF', async () => {
    await converge(pool({ migration: 'activated', mirror: true }));
    const before = await txPackets('h1', port('mon'));
    expect(await lab.ping(ns.a!, ip(2))).toBe(true);
    expect((await txPackets('h1', port('mon'))) - before).toBeGreaterThanOrEqual(3);

    await converge(pool({ migration: 'activated' }));
    const after = await txPackets('h1', port('mon'));
    expect(await lab.ping(ns.a!, ip(2))).toBe(true);
    expect((await txPackets('h1', port('mon'))) - after).toBeLessThan(3);
  });
});
