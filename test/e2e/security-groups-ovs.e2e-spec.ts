/**
 * Security groups through the whole system: commands over the pool master's REST API, member
 * hosts converging real Open vSwitch (userspace datapath, two netns hosts), and real packets
 * between VM namespaces. A group with default deny and one rule letting its members send
 * anything: a member's own pings are answered (the replies are established), a ping to it is
 * not delivered (its kernel counts no echo request); a rule admitting ICMP from the members of
 * a second group lets a VM that joins that group in, and only that VM, and leaving the group
 * shuts it out again; a rule admitting an address set follows the set's content.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { portName } from '@pool/vswitch';
import { NetnsLab } from '../../libs/vswitch/src/testing/netns-lab.js';
import { restCommand } from './support/master-rest.js';
import { startPool, until, type TestPool } from './support/member-host-pool.js';
import { missingOvsLab, realPart } from '../support/real-part.js';

const ovs = realPart(
  'Open vSwitch',
  missingOvsLab(['ovs-vsctl', 'ovs-ofctl', 'ovsdb-server', 'ip', 'ping']),
);

const mac = (n: number) => `02:00:00:00:02:${n.toString(16).padStart(2, '0')}`;

/** VM → [host, MAC number, address]: all on one VLAN; a and c share h1, b is across hosts. */
const VMS = {
  a: ['h1', 1, '10.40.0.1'],
  b: ['h2', 2, '10.40.0.2'],
  c: ['h1', 3, '10.40.0.3'],
} as const;
type Vm = keyof typeof VMS;
const vifOf = (vm: Vm) => `${vm}-0`;

describe.skipIf(ovs.skip)('security groups on real Open vSwitch, through the pool master', () => {
  beforeAll(() => ovs.assertPresent());
  const pool = `sg-${randomUUID().slice(0, 8)}`;
  const lab = new NetnsLab(`sg${process.pid % 100000}`);
  const ns = {} as Record<Vm, string>;
  let p: TestPool;
  const ping = (from: Vm, to: Vm) => lab.ping(ns[from], VMS[to][2]);

  /** A command over REST that must succeed, returning once every host applied it. */
  const rest = (method: string, path: string, body?: unknown) =>
    restCommand(p.masterBase(), method, `${path}?wait=hosts&timeoutMs=30000`, body);
  const inPool = (method: string, path: string, body?: unknown) =>
    rest(method, `/pools/${pool}${path}`, body);

  /** An allow rule scoped to the group `locked`. */
  const allowOnLocked = (ruleId: string, direction: string, priority: number, match: object) =>
    inPool('POST', '/acls', {
      ruleId,
      scope: { kind: 'group', groupId: 'locked' },
      direction,
      priority,
      match,
      action: 'allow',
    });

  /** Both hosts at the log's version and digest: the flows are those of the whole log. */
  const converged = async () => {
    for (const h of p.hosts.values()) await p.converged(h);
  };

  /** ICMP echo requests the VM's kernel received so far: what was delivered to it. */
  const echoesAt = async (vm: Vm): Promise<number> => {
    const snmp = await lab.exec(ns[vm], ['cat', '/proc/net/snmp']);
    const [names, values] = snmp.split('\n').filter((line) => line.startsWith('Icmp:'));
    const column = names!.split(/\s+/).indexOf('InEchos');
    return Number(values!.split(/\s+/)[column]);
  };

  /** Pings `to` from `from`; says whether it was answered and whether `to` received any. */
  const probe = async (from: Vm, to: Vm) => {
    const before = await echoesAt(to);
    const answered = await ping(from, to);
    return { answered, delivered: (await echoesAt(to)) > before };
  };

  beforeAll(async () => {
    p = await startPool(pool);
    await lab.start();
    await rest('POST', '/pools', { poolId: pool, name: 'security groups' });
    for (const id of ['h1', 'h2']) {
      const labHost = await lab.addHost(id, ['eth0']);
      await p.startHost(id, {
        DRIVER: 'ovs',
        OVS_RUN_DIR: labHost.runDir,
        NETNS: labHost.netns,
        PIF_DEVICES: 'eth0',
      });
    }
    for (const h of p.hosts.values()) {
      await until(async () => (await h.status()).member === true, `${h.name} to join`);
    }
    for (const [vm, [host, n, ipv4]] of Object.entries(VMS)) {
      ns[vm as Vm] = await lab.addVm(vm, host, portName(vifOf(vm as Vm)), mac(n), `${ipv4}/24`);
    }
    await inPool('POST', '/networks', {
      networkId: 'n40',
      name: 'n40',
      purpose: 'vm',
      kind: 'external',
      device: 'eth0',
      vlan: 40,
    });
    for (const [vm, [host, n, ipv4]] of Object.entries(VMS)) {
      await inPool('POST', '/vms', { vmId: vm, name: vm });
      await inPool('POST', `/vms/${vm}/vifs`, {
        vifId: vifOf(vm as Vm),
        device: 0,
        networkId: 'n40',
        mac: mac(n),
        ipv4,
      });
      await inPool('POST', `/vms/${vm}/start`, { hostId: host });
    }
    await converged();
  }, 180_000);

  afterAll(async () => {
    await p?.close(); // member hosts first, so none rebuilds a switch being torn down
    await lab.stop();
  });

  it('delivers pings both ways before any group (the baseline the rest departs from)', async () => {
    expect(await probe('b', 'a')).toEqual({ answered: true, delivered: true });
    expect(await probe('a', 'b')).toEqual({ answered: true, delivered: true });
  });

  it("answers a default-deny member's own pings and delivers no ping to it", async () => {
    await inPool('POST', '/security-groups', { groupId: 'locked', name: 'locked' });
    await allowOnLocked('locked-out', 'from-vm', 100, { protocol: 'any' }); // members send anything
    await inPool('PUT', `/security-groups/locked/members/${vifOf('a')}`);
    await converged();

    expect(await probe('a', 'b')).toEqual({ answered: true, delivered: true });
    expect(await probe('b', 'a')).toEqual({ answered: false, delivered: false });
    expect(await probe('c', 'a')).toEqual({ answered: false, delivered: false });
    // b itself is untouched: c still reaches it.
    expect(await probe('c', 'b')).toEqual({ answered: true, delivered: true });
  });

  it('admits ICMP from the members of a remote group, and only while they are members', async () => {
    await inPool('POST', '/security-groups', {
      groupId: 'peers',
      name: 'peers',
      defaultPolicy: 'allow',
    });
    await allowOnLocked('locked-icmp-from-peers', 'to-vm', 200, {
      protocol: 'icmp',
      remoteGroupId: 'peers',
    });
    await converged();
    expect(await probe('b', 'a')).toEqual({ answered: false, delivered: false });

    await inPool('PUT', `/security-groups/peers/members/${vifOf('b')}`);
    await converged();
    expect(await probe('b', 'a')).toEqual({ answered: true, delivered: true });
    expect(await probe('c', 'a')).toEqual({ answered: false, delivered: false });

    await inPool('DELETE', `/security-groups/peers/members/${vifOf('b')}`);
    await converged();
    expect(await probe('b', 'a')).toEqual({ answered: false, delivered: false });
  });

  it('admits ICMP from an address set, following its content on every host', async () => {
    await inPool('POST', '/address-sets', {
      addressSetId: 'trusted',
      name: 'trusted',
      cidrs: [VMS.c[2]],
    });
    await allowOnLocked('locked-icmp-from-trusted', 'to-vm', 300, {
      protocol: 'icmp',
      addressSetId: 'trusted',
    });
    await converged();
    expect(await probe('c', 'a')).toEqual({ answered: true, delivered: true });
    expect(await probe('b', 'a')).toEqual({ answered: false, delivered: false });

    await inPool('PUT', '/address-sets/trusted', { cidrs: ['10.40.0.0/31'] });
    await converged();
    expect(await probe('c', 'a')).toEqual({ answered: false, delivered: false });
  });

  it('reads the same policy back from the log: the group, its members and its rules', async () => {
    const { state } = await p.logState();
    expect(state.securityGroups.get('locked')).toEqual({
      id: 'locked',
      name: 'locked',
      defaultPolicy: 'deny',
      vifIds: [vifOf('a')],
    });
    expect(state.securityGroups.get('peers')?.vifIds).toEqual([]);
    expect(state.aclRules.get('locked-icmp-from-peers')?.match).toMatchObject({
      protocol: 'icmp',
      remoteGroupId: 'peers',
      cidr: null,
    });
  });
});
