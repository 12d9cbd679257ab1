import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { desiredState } from '../../model/desired-state.js';
import { NetnsLab } from '../../testing/netns-lab.js';
import { topology, type TopologyBuilder } from '../../testing/topology-builder.js';

const mac = (n: number) => `02:00:00:00:05:${n.toString(16).padStart(2, '0')}`;

/** VM → [host, MAC number, address, port security]. `r` is on the other host, over the uplink. */
const VMS = {
  a: ['h1', 1, '10.50.0.1', true],
  b: ['h1', 2, '10.50.0.2', true],
  c: ['h1', 3, '10.50.0.3', false],
  r: ['h2', 4, '10.50.0.4', true],
} as const;
type Vm = keyof typeof VMS;
const PORT = 7000;

const toA = { vifId: 'v-a' };
const toC = { vifId: 'v-c' };

function pool(): TopologyBuilder {
  const t = topology().host('h1').host('h2').external('lan', 'eth0');
  for (const [vm, [host, n, ipv4, portSecurity]] of Object.entries(VMS)) {
    t.vm(vm, host).vif(`v-${vm}`, vm, 'lan', { mac: mac(n), ipv4, portSecurity });
  }
  return t;
}

/**
 * Stateful ACLs on real Open vSwitch (userspace datapath): replies of a VM's own connections
 * under a "deny inbound" rule, established connections across rule changes, a MAC change under a
 * to-VM rule, and a stateless rule. Every "blocked" case sits beside the packet that must pass.
 */
describe('OVS driver: stateful ACLs on real Open vSwitch (userspace datapath)', () => {
  const lab = new NetnsLab(`pns${process.pid}`);
  const ns = {} as Record<Vm, string>;
  const ping = (from: Vm, to: Vm) => lab.ping(ns[from], VMS[to][2]);

  const converge = (builder: TopologyBuilder) => lab.converge(builder.build());
  const connects = (from: Vm, to: Vm) => lab.connects(ns[from], VMS[to][2], PORT);
  const open = (from: Vm, to: Vm) => lab.openTcp(ns[from], VMS[to][2], PORT);

  beforeAll(async () => {
    await lab.start();
    await lab.addHost('h1');
    await lab.addHost('h2');
    Object.assign(ns, await lab.addVms(VMS, mac));
    for (const vm of Object.keys(VMS) as Vm[]) lab.serveTcpEcho(ns[vm], PORT);
  });
  afterAll(async () => {
    await lab.stop();
  });

  it('forwards everything without rules, both ways, on one host and across hosts', async () => {
    await converge(pool());
    expect(await ping('a', 'b')).toBe(true);
    expect(await ping('b', 'a')).toBe(true);
    expect(await ping('r', 'a')).toBe(true);
    expect(await connects('b', 'a')).toBe(true);
  });

  it('delivers the replies of a VM own pings under a rule that drops ICMP to it', async () => {
    await converge(
      pool().acl('no-ping-in', toA, { direction: 'egress', match: { protocol: 'icmp' } }),
    );
    expect(await ping('a', 'b')).toBe(true);
    expect(await ping('a', 'r')).toBe(true);
    expect(await ping('b', 'a')).toBe(false);
    expect(await ping('r', 'a')).toBe(false);
    expect(await ping('b', 'c')).toBe(true); // the rule is A's only
  });

  it('keeps a VM own TCP connections under "deny inbound TCP" and refuses inbound ones', async () => {
    await converge(
      pool().acl('no-tcp-in', toA, { direction: 'egress', match: { protocol: 'tcp' } }),
    );
    expect(await connects('a', 'b')).toBe(true);
    expect(await connects('a', 'r')).toBe(true);
    expect(await connects('b', 'a')).toBe(false);
    expect(await connects('r', 'a')).toBe(false);
  });

  it('keeps an established TCP connection across rules added against new ones', async () => {
    await converge(pool());
    const session = await open('b', 'a');
    expect(session.first).toBe('ok');
    // New TCP refused both ways between them: into A and out of B (the session's direction),
    // out of A and into B (the other direction, which its replies take).
    const tcp = { match: { protocol: 'tcp' } } as const;
    await converge(
      pool()
        .acl('no-tcp-in-a', toA, { direction: 'egress', ...tcp })
        .acl('no-tcp-out-a', toA, { direction: 'ingress', ...tcp })
        .acl('no-tcp-in-b', { vifId: 'v-b' }, { direction: 'egress', ...tcp })
        .acl('no-tcp-out-b', { vifId: 'v-b' }, { direction: 'ingress', ...tcp }),
    );
    expect(await session.echo()).toBe('ok');
    expect(await connects('b', 'a')).toBe(false);
    expect(await connects('a', 'b')).toBe(false);
    expect(await connects('r', 'a')).toBe(false);
    expect(await session.echo()).toBe('ok');
    session.close();
  });

  it('applies a to-VM rule to a VM without port security after it changes its MAC', async () => {
    const dropIcmp = pool().acl('no-ping-in', toC, {
      direction: 'egress',
      match: { protocol: 'icmp' },
    });
    await converge(dropIcmp);
    expect(await ping('b', 'c')).toBe(false);
    await lab.exec(ns.c, ['ip', 'link', 'set', 'eth0', 'address', mac(0x99)]);
    expect(await ping('c', 'b')).toBe(true); // it sends from the new MAC, its replies return
    expect(await ping('b', 'c')).toBe(false);
    expect(await ping('r', 'c')).toBe(false);
    expect(await connects('b', 'c')).toBe(true); // delivered to it, by the port's flows
    // The drift pass by content keeps what OVS learned (and finds nothing else to repair).
    const h1 = lab.host('h1').driver;
    expect(await h1.sweep(desiredState(dropIcmp.build(), 'h1'))).toEqual([]);
    expect(await ping('b', 'c')).toBe(false);
    // The same MAC change without the rule: everything reaches it.
    await converge(pool());
    expect(await ping('b', 'c')).toBe(true);
    await lab.exec(ns.c, ['ip', 'link', 'set', 'eth0', 'address', mac(3)]);
  });

  it('commits nothing for a stateless allow: its replies need a rule of their own', async () => {
    const rules = (stateless: boolean) =>
      pool()
        .acl('no-ping-in', toA, { direction: 'egress', match: { protocol: 'icmp' } })
        .acl(
          'ping-out',
          { vifId: 'v-a' },
          {
            direction: 'ingress',
            priority: 200,
            action: 'allow',
            stateless,
            match: { protocol: 'icmp' },
          },
        );
    await converge(rules(false));
    expect(await ping('a', 'b')).toBe(true);
    await converge(rules(true));
    expect(await ping('a', 'b')).toBe(false);
    await converge(
      rules(true).acl('pong-in', toA, {
        direction: 'egress',
        priority: 200,
        action: 'allow',
        stateless: true,
        match: { protocol: 'icmp', cidr: '10.50.0.2/32' },
      }),
    );
    expect(await ping('a', 'b')).toBe(true);
    expect(await ping('r', 'a')).toBe(false);
  });
});
