/**
 * Member hosts on real Open vSwitch (userspace datapath), driven only through pool-master
 * commands. Two simulated hypervisors, each a network namespace with its own OVS and its own
 * "physical" NIC (a veth into a shared trunk); VMs are namespaces on the VIF ports the member
 * hosts create. The switch itself is proven in libs/vswitch's int tests; here the point is that
 * member hosts converge it from the pool's log.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bridgeName, portName } from '@pool/vswitch';
import { NetnsLab } from '../../libs/vswitch/src/testing/netns-lab.js';
import { startPool, until, type TestPool } from './support/member-host-pool.js';
import { missingOvsLab, realPart } from '../support/real-part.js';

const ovs = realPart(
  'Open vSwitch',
  missingOvsLab(['ovs-vsctl', 'ovs-ofctl', 'ovsdb-server', 'ip', 'ping']),
);

/** Short enough that a test waits for one pass, long enough to leave the switch alone between. */
const DRIFT_INTERVAL_MS = 3000;

const mac = (n: number) => `02:00:00:00:01:${n.toString(16).padStart(2, '0')}`;

/** VM → [host, network, MAC number, address]. n10 and n20 share a subnet: only VLANs part them. */
const VMS = {
  a10: ['h1', 'n10', 1, '10.10.0.1'],
  b10: ['h2', 'n10', 2, '10.10.0.2'],
  b20: ['h2', 'n20', 3, '10.10.0.3'],
  c20: ['h1', 'n20', 4, '10.10.0.4'],
  f1: ['h1', 'flat', 5, '10.30.0.1'],
  p1: ['h1', 'priv', 6, '10.30.0.2'],
  p2: ['h1', 'priv', 7, '10.30.0.3'],
  p3: ['h2', 'priv', 8, '10.30.0.4'],
} as const;
type Vm = keyof typeof VMS;

describe.skipIf(ovs.skip)('member hosts on real Open vSwitch', () => {
  beforeAll(() => ovs.assertPresent());
  const pool = `ovs-${randomUUID().slice(0, 8)}`;
  const lab = new NetnsLab(`pm${process.pid % 100000}`);
  const ns = {} as Record<Vm, string>;
  let p: TestPool;
  const ping = (from: Vm, to: string) => lab.ping(ns[from], to in VMS ? VMS[to as Vm][3] : to);
  const hosts = () => [...p.hosts.values()];

  beforeAll(async () => {
    p = await startPool(pool);
    await lab.start();
    await p.ok('CreatePool', { poolId: pool, name: 'OVS pool' });
    for (const id of ['h1', 'h2']) {
      const labHost = await lab.addHost(id, ['eth0']);
      await p.startHost(id, {
        DRIVER: 'ovs',
        OVS_RUN_DIR: labHost.runDir,
        NETNS: labHost.netns,
        PIF_DEVICES: 'eth0',
        DRIFT_INTERVAL_MS: String(DRIFT_INTERVAL_MS),
      });
    }
    for (const h of hosts()) {
      await until(async () => (await h.status()).member === true, `${h.name} to join`);
    }
    await lab.addOutsider('10.30.0.9/24');
    // The hypervisor creates each VM's device, named after its port, before the VM starts.
    for (const [vm, [host, , n, ipv4]] of Object.entries(VMS)) {
      ns[vm as Vm] = await lab.addVm(vm, host, portName(`${vm}-0`), mac(n), `${ipv4}/24`);
    }
  }, 180_000);

  afterAll(async () => {
    await p?.close(); // member hosts first, so none rebuilds a switch being torn down
    await lab.stop();
  });

  it('joined both hosts with the NIC found in their namespace', async () => {
    const { state } = await p.logState();
    for (const id of ['h1', 'h2']) {
      expect([...state.hosts.get(id)!.pifs.keys()]).toEqual(['eth0']);
    }
  });

  it('converges both switches from the log, with the barrier', async () => {
    const network = (networkId: string, kind: object) =>
      p.ok('CreateNetwork', { networkId, name: networkId, purpose: 'vm', ...kind });
    await network('n10', { kind: 'external', device: 'eth0', vlan: 10 });
    await network('n20', { kind: 'external', device: 'eth0', vlan: 20 });
    await network('flat', { kind: 'external', device: 'eth0' });
    await network('priv', { kind: 'private' });
    for (const [vm, [host, networkId, n, ipv4]] of Object.entries(VMS)) {
      await p.ok('CreateVm', { vmId: vm, name: vm });
      await p.ok('CreateVif', {
        vifId: `${vm}-0`,
        vmId: vm,
        device: 0,
        networkId,
        mac: mac(n),
        ipv4,
        portSecurity: vm === 'a10',
      });
      await p.ok('StartVm', { vmId: vm, hostId: host }, { wait: 'hosts', waitTimeoutMs: 30_000 });
    }
    for (const h of hosts()) {
      await p.converged(h);
      const status = await h.status();
      expect(status.datapathError).toBeNull();
      expect(status.ports.every((port: { ready: boolean }) => port.ready)).toBe(true);
    }
  });

  it('connects VMs of one VLAN across hosts and keeps VLANs apart', async () => {
    expect(await ping('a10', 'b10')).toBe(true);
    expect(await ping('b20', 'c20')).toBe(true);
    expect(await ping('a10', 'b20')).toBe(false);
    expect(await ping('c20', 'b10')).toBe(false);
  });

  it('keeps a private network on its host: never across hosts, never to the uplink', async () => {
    expect(await ping('p1', 'p2')).toBe(true);
    expect(await ping('p1', 'p3')).toBe(false);
    expect(await ping('p1', '10.30.0.9')).toBe(false);
    expect(await ping('f1', '10.30.0.9')).toBe(true);
  });

  it('stops ICMP with an ACL drop rule and restores it when the rule is deleted', async () => {
    await p.ok(
      'CreateAclRule',
      {
        ruleId: 'no-ping',
        scope: { kind: 'network', networkId: 'n10' },
        direction: 'from-vm',
        priority: 100,
        match: { protocol: 'icmp' },
        action: 'drop',
      },
      { wait: 'hosts' },
    );
    expect(await ping('a10', 'b10')).toBe(false);
    expect(await ping('b20', 'c20')).toBe(true);
    await p.ok('DeleteAclRule', { ruleId: 'no-ping' }, { wait: 'hosts' });
    expect(await ping('a10', 'b10')).toBe(true);
  });

  it('keeps the replies of a VM own pings under a rule dropping ICMP to it; refuses reject', async () => {
    const rule = {
      ruleId: 'no-ping-in',
      scope: { kind: 'vif', vifId: 'a10-0' },
      direction: 'to-vm',
      priority: 100,
      match: { protocol: 'icmp' },
    };
    const refused = await p.command('CreateAclRule', { ...rule, action: 'reject' });
    expect(refused).toMatchObject({ ok: false, error: { code: 'ACL_REJECT_UNSUPPORTED' } });
    await p.ok('CreateAclRule', { ...rule, action: 'drop' }, { wait: 'hosts' });
    expect(await ping('a10', 'b10')).toBe(true); // across hosts: the reply is established
    expect(await ping('b10', 'a10')).toBe(false);
    await p.ok('DeleteAclRule', { ruleId: 'no-ping-in' }, { wait: 'hosts' });
    expect(await ping('b10', 'a10')).toBe(true);
  });

  it('drops a spoofed source MAC from a port with port security', async () => {
    const eth0 = ['ip', 'link', 'set', 'eth0'];
    await lab.exec(ns.a10, [...eth0, 'address', mac(0x99)]);
    expect(await ping('a10', 'b10')).toBe(false);
    await lab.exec(ns.a10, [...eth0, 'address', mac(1)]);
    expect(await ping('a10', 'b10')).toBe(true);
  });

  it('removes a flow written by hand on a network bridge within one drift interval, and reports it', async () => {
    const bridge = bridgeName('n10');
    // a10 (port security) sends from an address that is not its own: dropped at admission.
    await lab.exec(ns.a10, ['ip', 'addr', 'add', '10.10.0.50/24', 'dev', 'eth0']);
    const spoof = [
      'ping',
      '-c',
      '3',
      '-i',
      '0.2',
      '-W',
      '1',
      '-q',
      '-I',
      '10.10.0.50',
      '10.10.0.2',
    ];
    const spoofDelivered = () =>
      lab
        .exec(ns.a10, ['ip', 'neigh', 'flush', 'all'])
        .then(() => lab.exec(ns.a10, spoof))
        .then(
          () => true,
          () => false,
        );
    expect(await spoofDelivered()).toBe(false);

    await lab.ofctl('h1', 'add-flow', bridge, ['table=0,priority=65535,actions=NORMAL']);
    const injected = Date.now();
    const flows = () => lab.ofctl('h1', 'dump-flows', bridge, ['--no-stats']);
    await until(async () => !(await flows()).includes('priority=65535'), 'the foreign flow gone');
    const removedAfter = Date.now() - injected;
    // One interval, plus the pass itself (a dump and a bundle) and this loop's polling.
    expect(removedAfter).toBeLessThan(DRIFT_INTERVAL_MS + 2000);
    await until(
      async () =>
        (await p.reports('h1')).some((r) =>
          r.drift?.some(
            (d) =>
              d.kind === 'flow' &&
              d.bridge === bridge &&
              d.change === 'added' &&
              d.flow === 'priority=65535 actions=NORMAL' &&
              d.repaired,
          ),
        ),
      'the foreign flow reported as drift',
    );
    expect(await spoofDelivered()).toBe(false);
    expect(await ping('a10', 'b10')).toBe(true);
    await lab.exec(ns.a10, ['ip', 'addr', 'del', '10.10.0.50/24', 'dev', 'eth0']);
  });

  it("puts a host interface's address in the host's namespace (NETNS), not the service's", async () => {
    const h2 = p.hosts.get('h2')!;
    await p.ok(
      'ConfigureHostInterface',
      {
        hostId: 'h2',
        name: 'stor0',
        purpose: 'storage',
        device: 'eth0',
        ipv4: { mode: 'static', address: '10.50.0.2/24' },
      },
      { wait: 'hosts', waitTimeoutMs: 30_000 },
    );
    const shown = await lab.exec(lab.host('h2').netns, [
      'ip',
      '-4',
      '-o',
      'addr',
      'show',
      'dev',
      'stor0',
    ]);
    expect(shown).toContain('10.50.0.2/24');
    await p.converged(h2);
    expect((await h2.status()).datapathError).toBeNull();
  });
});
