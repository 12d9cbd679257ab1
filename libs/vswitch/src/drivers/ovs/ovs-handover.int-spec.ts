import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digest } from '../../model/canonical.js';
import { desiredState } from '../../model/desired-state.js';
import { forwardsNow, type Port } from '../../model/host-state.js';
import { bridgeName, portName } from '../../model/naming.js';
import type { MigrationPhase } from '../../model/topology.js';
import { reconcile, reconcileFully } from '../../reconcile.js';
import { NetnsLab } from '../../testing/netns-lab.js';
import { topology, type TopologyBuilder } from '../../testing/topology-builder.js';
import { announceInstance, pauseInstance, resumeInstance } from '../../testing/vm-instance.js';
import { run } from './exec.js';

const mac = (n: number) => `02:00:00:00:00:${n.toString(16).padStart(2, '0')}`;
const ip = (n: number) => `10.10.0.${n}`;
const port = (vm: string) => portName(`v-${vm}`);
const N10 = bridgeName('n10');
const MIG = { mac: mac(7), cidr: `${ip(7)}/24` };

/** b on h2, mig moving h1 → h2 (activated by the VM when `vm`); VLAN 10. */
function pool(phase?: MigrationPhase, activation?: 'vm'): TopologyBuilder {
  const t = topology()
    .host('h1')
    .host('h2')
    .external('n10', 'eth0', 10)
    .vm('b', 'h2')
    .vm('mig', 'h1')
    .vif('v-b', 'b', 'n10', { mac: mac(2), ipv4: ip(2) })
    .vif('v-mig', 'mig', 'n10', { mac: mac(7), ipv4: ip(7), portSecurity: true });
  if (phase) t.migrate('mig', 'h1', 'h2', phase, activation);
  return t;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('OVS driver: a migration activated by the VM, on real Open vSwitch', () => {
  const lab = new NetnsLab(`pnh${process.pid}`);
  const ns: Record<string, string> = {};

  async function converge(builder: TopologyBuilder, hosts = ['h1', 'h2']): Promise<void> {
    for (const id of hosts) {
      const { driver } = lab.host(id);
      const desired = desiredState(builder.build(), id);
      await reconcile(driver, desired);
      expect(digest(await driver.readActual())).toBe(digest(desired));
      // The drift pass expects exactly the armed and watch flows apply wrote, learned gates kept.
      expect(await reconcileFully(driver, desired)).toEqual({ operations: [], findings: [] });
    }
  }
  const migPort = async (host: string): Promise<Port | undefined> =>
    (await lab.host(host).driver.readActual()).bridges
      .find((b) => b.name === N10)
      ?.ports.find((p) => p.name === port('mig'));
  /** What the switch does with a frame from the VM's port, by ofproto/trace (no side effect). */
  const trace = (host: string, match: string) =>
    run('ovs-appctl', [
      '-t',
      `${lab.host(host).runDir}/ovs-vswitchd.ctl`,
      'ofproto/trace',
      N10,
      `in_port=${port('mig')},dl_src=${MIG.mac},${match}`,
    ]);
  const IP_FRAME = `dl_dst=${mac(2)},ip,nw_src=${ip(7)},nw_dst=${ip(2)}`;

  beforeAll(async () => {
    await lab.start();
    await lab.addHost('h1');
    await lab.addHost('h2');
    ns.b = await lab.addVm('b', 'h2', port('b'), mac(2), `${ip(2)}/24`);
    // One VM, two instances: the hypervisor's on each side; the target's paused until resumed.
    ns.source = await lab.addVm('mig-src', 'h1', port('mig'), MIG.mac, MIG.cidr);
    ns.target = await lab.addVm('mig-dst', 'h2', port('mig'), MIG.mac, MIG.cidr);
    await pauseInstance(lab, ns.target);
    await converge(pool());
  });
  afterAll(() => lab.stop());

  it('arms the target and watches the source at prepared; the source forwards meanwhile', async () => {
    await converge(pool('requested', 'vm'));
    await converge(pool('prepared', 'vm'));
    expect(await migPort('h1')).toMatchObject({ forwarding: true, handover: 'watched' });
    expect(await migPort('h2')).toMatchObject({ forwarding: false, handover: 'armed' });
    expect(await lab.ping(ns.source!, ip(2))).toBe(true);
    // The armed port lets nothing the VM sends through but its announcement.
    expect(await trace('h2', IP_FRAME)).toMatch(/Datapath actions: drop/);
    // The VM's own announcement on the source closes nothing, and opens nothing on the target.
    await announceInstance(lab, ns.source!, { mac: MIG.mac, ipv4: ip(7) });
    await sleep(200);
    expect((await migPort('h1'))?.announcedAt).toBeUndefined();
    expect((await migPort('h2'))?.announcedAt).toBeUndefined();
    expect(await lab.ping(ns.source!, ip(2))).toBe(true);
  });

  it("opens the target and closes the source in the datapath on the resumed VM's RARP", async () => {
    await pauseInstance(lab, ns.source!);
    const sent = await resumeInstance(lab, ns.target!, MIG);
    let target: Port | undefined;
    for (let i = 0; i < 100 && target?.announcedAt === undefined; i++) {
      await sleep(10);
      target = await migPort('h2');
    }
    const source = await migPort('h1');
    expect(target?.announcedAt).toBeDefined();
    expect(source?.announcedAt).toBeDefined();
    expect(forwardsNow(target!)).toBe(true);
    expect(forwardsNow(source!)).toBe(false);
    // The learned gates' ages as the switches report them, against when the frame left.
    const opened = target!.announcedAt! - sent;
    const closed = source!.announcedAt! - sent;
    console.log(`handover: target opened ${opened} ms, source closed ${closed} ms after the RARP`);
    expect(opened).toBeLessThan(50);
    expect(closed).toBeLessThan(50);
    // Nothing went through PostgreSQL or NATS: the hosts still apply `prepared`.
    expect(await lab.ping(ns.b!, ip(7))).toBe(true);
    expect(await lab.ping(ns.target!, ip(2))).toBe(true);
    expect(await trace('h1', IP_FRAME)).toMatch(/Datapath actions: drop/);
    expect(await lab.switchPortOf(MIG.mac)).toBe(lab.nicOf('h2'));
    // A pass at `prepared` keeps both learned gates (desired and drift pass alike).
    await converge(pool('prepared', 'vm'));
    expect(forwardsNow((await migPort('h2'))!)).toBe(true);
  });

  it('hands the opened port to the log at activated without closing it', async () => {
    await converge(pool('activated', 'vm'), ['h2', 'h1']);
    expect(await migPort('h2')).toMatchObject({ forwarding: true });
    expect((await migPort('h2'))?.handover).toBeUndefined();
    expect(await migPort('h1')).toBeUndefined();
    expect(await lab.ping(ns.b!, ip(7))).toBe(true);
  });

  it('gives the source its port back when a migration the VM never announced aborts', async () => {
    // Back on h1, resumed there; then a migration to h2 that the VM never announces.
    await pauseInstance(lab, ns.target!);
    await converge(pool(), ['h2', 'h1']);
    await resumeInstance(lab, ns.source!, MIG);
    await converge(pool('requested', 'vm'));
    await converge(pool('prepared', 'vm'));
    await converge(pool());
    expect(await migPort('h1')).toMatchObject({ forwarding: true });
    expect((await migPort('h1'))?.handover).toBeUndefined();
    expect(await migPort('h2')).toBeUndefined();
    expect(await lab.ping(ns.source!, ip(2))).toBe(true);
  });
});
