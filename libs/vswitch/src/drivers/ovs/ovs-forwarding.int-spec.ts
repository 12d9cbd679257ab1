import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { portName } from '../../model/naming.js';
import { NetnsLab } from '../../testing/netns-lab.js';
import { topology, type TopologyBuilder } from '../../testing/topology-builder.js';

const NICS = ['eth0', 'eth1', 'eth2'];
const mac = (n: number) => `02:00:00:00:00:${n.toString(16).padStart(2, '0')}`;

/**
 * VM → [host, network, MAC number, address]. VLANs 10 and 20 share a subnet, as do the flat and
 * private networks, on purpose: only the switch keeps them apart.
 */
const VMS = {
  a10: ['h1', 'n10', 1, '10.10.0.1'],
  b10: ['h2', 'n10', 2, '10.10.0.2'],
  b20: ['h2', 'n20', 3, '10.10.0.3'],
  c20: ['h1', 'n20', 4, '10.10.0.4'],
  f1: ['h1', 'flat', 5, '10.30.0.1'],
  p1: ['h1', 'priv', 6, '10.30.0.2'],
  p2: ['h1', 'priv', 7, '10.30.0.3'],
  p3: ['h2', 'priv', 8, '10.30.0.4'],
  d1: ['h1', 'nb', 10, '10.40.0.1'],
  d2: ['h2', 'nb', 11, '10.40.0.2'],
} as const;
type Vm = keyof typeof VMS;

function pool(): TopologyBuilder {
  const t = topology()
    .host('h1', NICS)
    .host('h2', NICS)
    .bond('h1', 'bond0', ['eth1', 'eth2'])
    .bond('h2', 'bond0', ['eth1', 'eth2'])
    .external('nb', 'bond0', 30)
    .external('n10', 'eth0', 10)
    .external('n20', 'eth0', 20)
    .external('flat', 'eth0')
    .private('priv');
  for (const [vm, [host, network, n, ipv4]] of Object.entries(VMS)) {
    t.vm(vm, host).vif(`v-${vm}`, vm, network, { mac: mac(n), ipv4, portSecurity: vm === 'a10' });
  }
  return t;
}

describe('OVS driver: forwarding on real Open vSwitch (userspace datapath)', () => {
  const lab = new NetnsLab(`pnf${process.pid}`);
  const ns = {} as Record<Vm, string>;
  const ping = (from: Vm, to: string) => lab.ping(ns[from], to in VMS ? VMS[to as Vm][3] : to);

  const converge = (builder: TopologyBuilder) => lab.converge(builder.build());

  beforeAll(async () => {
    await lab.start();
    await lab.addHost('h1', NICS);
    await lab.addHost('h2', NICS);
    await lab.addOutsider('10.30.0.9/24');
    for (const [vm, [host, , n, ipv4]] of Object.entries(VMS)) {
      ns[vm as Vm] = await lab.addVm(vm, host, portName(`v-${vm}`), mac(n), `${ipv4}/24`);
    }
  });
  afterAll(() => lab.stop());

  it('converges both hosts, reads the same state back, and then has nothing to do', async () => {
    await converge(pool());
  });

  it('connects VMs of one VLAN across hosts and keeps VLANs apart', async () => {
    expect(await ping('a10', 'b10')).toBe(true);
    expect(await ping('b20', 'c20')).toBe(true);
    expect(await ping('a10', 'b20')).toBe(false);
    expect(await ping('c20', 'b10')).toBe(false);
  });

  it('carries a VLAN over an active-backup bond', async () => {
    expect(await ping('d1', 'd2')).toBe(true);
  });

  it('keeps a private network on its host: never across hosts, never to the uplink', async () => {
    expect(await ping('p1', 'p2')).toBe(true);
    expect(await ping('p1', 'p3')).toBe(false);
    expect(await ping('p1', '10.30.0.9')).toBe(false);
    expect(await ping('f1', '10.30.0.9')).toBe(true);
  });

  it('stops ICMP with an ACL drop rule and restores it when the rule goes', async () => {
    const withAcl = pool().acl('no-ping', { networkId: 'n10' }, { match: { protocol: 'icmp' } });
    await converge(withAcl);
    expect(await ping('a10', 'b10')).toBe(false);
    expect(await ping('b20', 'c20')).toBe(true);
    await converge(pool());
    expect(await ping('a10', 'b10')).toBe(true);
  });

  it('drops a spoofed source MAC or IP under port security', async () => {
    const eth0 = ['ip', 'link', 'set', 'eth0'];
    await lab.exec(ns.a10, [...eth0, 'address', mac(0x99)]);
    expect(await ping('a10', 'b10')).toBe(false);
    await lab.exec(ns.a10, [...eth0, 'address', mac(1)]);
    expect(await ping('a10', 'b10')).toBe(true);

    await lab.exec(ns.a10, ['ip', 'addr', 'flush', 'dev', 'eth0']);
    await lab.exec(ns.a10, ['ip', 'addr', 'add', '10.10.0.50/24', 'dev', 'eth0']);
    expect(await ping('a10', 'b10')).toBe(false);
    await lab.exec(ns.a10, ['ip', 'addr', 'flush', 'dev', 'eth0']);
    await lab.exec(ns.a10, ['ip', 'addr', 'add', '10.10.0.1/24', 'dev', 'eth0']);
    expect(await ping('a10', 'b10')).toBe(true);
  });
});
