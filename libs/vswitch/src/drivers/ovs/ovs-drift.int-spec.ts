import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { desiredState } from '../../model/desired-state.js';
import { bridgeName, portName } from '../../model/naming.js';
import { reconcile, reconcileFully } from '../../reconcile.js';
import { NetnsLab } from '../../testing/netns-lab.js';
import { topology } from '../../testing/topology-builder.js';

const mac = (n: number) => `02:00:00:00:00:${n.toString(16).padStart(2, '0')}`;
const ip = (n: number) => `10.20.0.${n}`;
const port = (vm: string) => portName(`v-${vm}`);
const N20 = bridgeName('n20');
const SPOOFED = ip(50);

/** One host: `a` with port security (its own MAC and IPv4 only), `b` without. */
const pool = (acls = false) => {
  const t = topology()
    .host('h1')
    .external('n20', 'eth0', 20)
    .vm('a', 'h1')
    .vm('b', 'h1')
    .vif('v-a', 'a', 'n20', {
      mac: mac(1),
      ipv4: ip(1),
      portSecurity: true,
      // Policed too: the meter's flow is compared like the others.
      qos: { ingressKbps: 50_000, ingressBurstKb: 5000, egressKbps: 0, egressBurstKb: 0 },
    })
    .vif('v-b', 'b', 'n20', { mac: mac(2), ipv4: ip(2) });
  if (acls) {
    t.acl(
      'no-ssh',
      { networkId: 'n20' },
      { priority: 10, match: { protocol: 'tcp', portFrom: 22 } },
    );
    t.acl(
      'web',
      { vifId: 'v-b' },
      { direction: 'egress', match: { protocol: 'tcp', portFrom: 80 } },
    );
    t.acl(
      'raw',
      { vifId: 'v-a' },
      { match: { protocol: 'udp' }, action: 'allow', stateless: true },
    );
  }
  return t.build();
};

describe('OVS driver: the drift pass sees every flow and port of the bridges it owns', () => {
  const lab = new NetnsLab(`pnd${process.pid}`);
  const ns: Record<string, string> = {};
  const desired = () => desiredState(pool(), 'h1');
  const driver = () => lab.host('h1').driver;
  const dump = () => lab.ofctl('h1', 'dump-flows', N20, ['--names', '--no-stats']);

  /**
   * An echo request from `a` with a source address that is not its own, answered by `b`: true
   * only when the spoofed frames (the ARP that carries the address, then the IPv4) got through.
   */
  async function spoofDelivered(): Promise<boolean> {
    await lab.exec(ns.a!, ['ip', 'neigh', 'flush', 'all']);
    await lab.exec(ns.b!, ['ip', 'neigh', 'flush', 'all']);
    const ping = ['ping', '-c', '3', '-i', '0.2', '-W', '1', '-q', '-I', SPOOFED, ip(2)];
    return lab.exec(ns.a!, ping).then(
      () => true,
      () => false,
    );
  }

  /** The catch-all drop of `a`'s port security: table 0, matched on nothing but its port. */
  async function catchAllDrop(): Promise<string> {
    const line = (await dump())
      .split('\n')
      .find((l) => new RegExp(`priority=\\d+,in_port="?${port('a')}"? actions=drop`).test(l));
    const found = /priority=(\d+),in_port="?([^" ]+)"?/.exec(line ?? '');
    if (!found) throw new Error(`no catch-all drop for ${port('a')} in:\n${await dump()}`);
    return `table=0,priority=${found[1]},in_port=${found[2]}`;
  }

  beforeAll(async () => {
    await lab.start();
    await lab.addHost('h1');
    ns.a = await lab.addVm('a', 'h1', port('a'), mac(1), `${ip(1)}/24`);
    ns.b = await lab.addVm('b', 'h1', port('b'), mac(2), `${ip(2)}/24`);
    await lab.exec(ns.a, ['ip', 'addr', 'add', `${SPOOFED}/24`, 'dev', 'eth0']);
    await reconcile(driver(), desired());
    // What apply installs is what the sweep expects: a converged switch has no drift.
    expect(await reconcileFully(driver(), desired())).toEqual({ operations: [], findings: [] });
    expect(await lab.ping(ns.a, ip(2))).toBe(true);
    expect(await spoofDelivered()).toBe(false);
  });
  afterAll(() => lab.stop());

  it('removes a foreign priority-65535 NORMAL flow that re-admitted spoofed traffic, and reports it', async () => {
    await lab.ofctl('h1', 'add-flow', N20, ['table=0,priority=65535,actions=NORMAL']);
    expect(await spoofDelivered()).toBe(true);

    const { operations, findings } = await reconcileFully(driver(), desired());
    // The planner's model (cookie counts) cannot see it; the sweep by content does.
    expect(operations).toEqual([]);
    expect(findings).toEqual([
      { kind: 'flow', bridge: N20, change: 'added', flow: 'priority=65535 actions=NORMAL' },
    ]);
    expect(await dump()).not.toContain('priority=65535');
    expect(await spoofDelivered()).toBe(false);
    expect(await lab.ping(ns.a!, ip(2))).toBe(true);
  });

  it('restores a flow edited under its own cookie (drop turned into NORMAL), and reports it', async () => {
    const drop = await catchAllDrop();
    await lab.ofctl('h1', 'mod-flows', N20, ['--strict', `${drop},actions=NORMAL`]);
    expect(await spoofDelivered()).toBe(true);

    const { operations, findings } = await reconcileFully(driver(), desired());
    expect(operations).toEqual([]);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ kind: 'flow', bridge: N20, change: 'changed' });
    const changed = findings[0] as { flow: string; expected: string };
    expect(changed.flow).toMatch(/actions=NORMAL$/);
    expect(changed.expected).toMatch(/actions=drop$/);
    expect(await spoofDelivered()).toBe(false);
    expect(await lab.ping(ns.a!, ip(2))).toBe(true);
  });

  it('puts back a deleted flow and reports the port whose protection it was', async () => {
    const drop = await catchAllDrop();
    await lab.ofctl('h1', 'del-flows', N20, ['--strict', drop]);
    expect(await spoofDelivered()).toBe(true);

    const { operations, findings } = await reconcileFully(driver(), desired());
    expect(operations).toEqual(
      [{ kind: 'setPortSecurity', bridge: N20, port: port('a') }].map((op) =>
        expect.objectContaining(op),
      ),
    );
    expect(findings).toEqual([]);
    expect(await catchAllDrop()).toBe(drop);
    expect(await spoofDelivered()).toBe(false);
  });

  it('isolates a port plugged by hand into an owned bridge, and leaves other bridges alone', async () => {
    // A device someone plugged into the network bridge, with an address on the network.
    const tap = 'tap-x';
    const x = await lab.addVm('x', 'h1', tap, mac(9), `${ip(9)}/24`);
    await lab.vsctl('h1', ['add-port', N20, tap]);
    expect(await lab.ping(x, ip(2))).toBe(true); // the secure bridge's table 0 admits it
    await lab.vsctl('h1', [
      'add-br',
      'br-other',
      '--',
      'set',
      'Bridge',
      'br-other',
      'datapath_type=netdev',
    ]);
    await lab.ofctl('h1', 'add-flow', 'br-other', ['priority=65535,actions=NORMAL']);

    const { findings } = await reconcileFully(driver(), desired());
    expect(findings).toEqual([{ kind: 'port', bridge: N20, change: 'added', port: tap }]);
    // Kept (not poolnet's to delete), but dropped on entry and in the dead VLAN.
    expect(await lab.vsctl('h1', ['get', 'Port', tap, 'tag'])).toBe('4095\n');
    expect(await dump()).toMatch(/in_port="?tap-x"? actions=drop/);
    expect(await lab.ping(x, ip(2))).toBe(false);
    expect(await lab.ping(ns.b!, ip(9))).toBe(false);
    expect(await lab.ofctl('h1', 'dump-flows', 'br-other')).toContain('priority=65535');

    expect(await reconcileFully(driver(), desired())).toEqual({ operations: [], findings: [] });
    expect(await lab.ping(ns.a!, ip(2))).toBe(true);
  });

  it('expects exactly the flows ACLs install (conntrack, stateless, VIF- and network-scoped)', async () => {
    const withAcls = desiredState(pool(true), 'h1');
    expect((await reconcileFully(driver(), withAcls)).operations.length).toBeGreaterThan(0);
    expect(await reconcileFully(driver(), withAcls)).toEqual({ operations: [], findings: [] });
    await lab.ofctl('h1', 'add-flow', N20, ['table=0,priority=65535,actions=NORMAL']);
    expect((await reconcileFully(driver(), withAcls)).findings).toEqual([
      { kind: 'flow', bridge: N20, change: 'added', flow: 'priority=65535 actions=NORMAL' },
    ]);
  });
});
