/**
 * ACL directions named from the VM (issue 24), through the whole system: commands to the pool
 * master (REST and NATS), a member host converging real Open vSwitch (userspace datapath, one
 * netns host), and real TCP between two VM namespaces that both serve on the same ports.
 * "drop to-vm TCP 22" on a VM must stop SSH into it and leave its own SSH out untouched; the
 * old words are refused on every transport with the mapping; and a rule stored before the
 * rename (AclRuleCreated v3, `egress`, appended raw into the log) keeps the traffic it matched.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { portName } from '@pool/vswitch';
import { NetnsLab } from '../../libs/vswitch/src/testing/netns-lab.js';
import { restCommand } from './support/master-rest.js';
import { startPool, until, type TestPool } from './support/member-host-pool.js';
import { missingOvsLab, realPart } from '../support/real-part.js';

const ovs = realPart(
  'Open vSwitch',
  missingOvsLab(['ovs-vsctl', 'ovs-ofctl', 'ovsdb-server', 'ip', 'python3']),
);

const mac = (n: number) => `02:00:00:00:24:${n.toString(16).padStart(2, '0')}`;

/** VM → [MAC number, address]: both on one host and one VLAN. */
const VMS = { a: [1, '10.24.0.1'], b: [2, '10.24.0.2'] } as const;
type Vm = keyof typeof VMS;
const vifOf = (vm: Vm) => `${vm}-0`;
const SSH = 22;
/** The port of the rule written before the rename: nothing else matches it. */
const OLD_RULE_PORT = 2222;

describe.skipIf(ovs.skip)('ACL directions from the VM on real Open vSwitch', () => {
  beforeAll(() => ovs.assertPresent());
  const pool = `dir-${randomUUID().slice(0, 8)}`;
  const lab = new NetnsLab(`ad${process.pid % 100000}`);
  const ns = {} as Record<Vm, string>;
  let p: TestPool;
  /** A fresh TCP connection from `from` to `to`'s echo server carries an echo. */
  const tcp = (from: Vm, to: Vm, port: number) => lab.connects(ns[from], VMS[to][1], port);

  const rest = (method: string, path: string, body?: unknown) =>
    restCommand(p.masterBase(), method, `/pools/${pool}${path}?wait=hosts&timeoutMs=30000`, body);
  /** The body of a rule on `vm`'s VIF dropping TCP to `port`. */
  const dropTcp = (ruleId: string, vm: Vm, direction: string, port: number) => ({
    ruleId,
    scope: { kind: 'vif', vifId: vifOf(vm) },
    direction,
    priority: 100,
    match: { protocol: 'tcp', portFrom: port },
    action: 'drop',
  });
  const converged = async () => {
    for (const h of p.hosts.values()) await p.converged(h);
  };

  beforeAll(async () => {
    p = await startPool(pool);
    await lab.start();
    await restCommand(p.masterBase(), 'POST', '/pools', { poolId: pool, name: 'directions' });
    const labHost = await lab.addHost('h1', ['eth0']);
    const host = await p.startHost('h1', {
      DRIVER: 'ovs',
      OVS_RUN_DIR: labHost.runDir,
      NETNS: labHost.netns,
      PIF_DEVICES: 'eth0',
    });
    await until(async () => (await host.status()).member === true, 'h1 to join');
    await rest('POST', '/networks', {
      networkId: 'n24',
      name: 'n24',
      purpose: 'vm',
      kind: 'external',
      device: 'eth0',
      vlan: 24,
    });
    for (const [vm, [n, ipv4]] of Object.entries(VMS)) {
      ns[vm as Vm] = await lab.addVm(vm, 'h1', portName(vifOf(vm as Vm)), mac(n), `${ipv4}/24`);
      await lab.noTxChecksum(ns[vm as Vm]);
      lab.serveTcpEcho(ns[vm as Vm], SSH);
      lab.serveTcpEcho(ns[vm as Vm], OLD_RULE_PORT);
      await rest('POST', '/vms', { vmId: vm, name: vm });
      await rest('POST', `/vms/${vm}/vifs`, {
        vifId: vifOf(vm as Vm),
        device: 0,
        networkId: 'n24',
        mac: mac(n),
        ipv4,
      });
      await rest('POST', `/vms/${vm}/start`, { hostId: 'h1' });
    }
    await converged();
  }, 180_000);

  afterAll(async () => {
    await p?.close(); // the member host first, so it rebuilds no switch being torn down
    await lab.stop();
  });

  it('carries TCP both ways on both ports before any rule (the baseline)', async () => {
    for (const port of [SSH, OLD_RULE_PORT]) {
      expect(await tcp('b', 'a', port)).toBe(true);
      expect(await tcp('a', 'b', port)).toBe(true);
    }
  });

  it('drops TCP 22 into the VM under "drop to-vm TCP 22", and not TCP 22 out of it', async () => {
    await rest('POST', '/acls', dropTcp('no-ssh-in', 'a', 'to-vm', SSH));
    await converged();
    expect(await tcp('b', 'a', SSH)).toBe(false);
    expect(await tcp('a', 'b', SSH)).toBe(true);
    // Only port 22: the rule is no blanket drop.
    expect(await tcp('b', 'a', OLD_RULE_PORT)).toBe(true);
  });

  it('refuses the old words over REST and NATS with the mapping, writing nothing', async () => {
    const { version } = await p.logState();
    const old = (direction: string) => dropTcp(`old-${direction}`, 'b', direction, SSH);
    const response = await fetch(`${p.masterBase()}/pools/${pool}/acls`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(old('ingress')),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      code: 'ACL_DIRECTION_RENAMED',
      message:
        "direction 'ingress' meant traffic from the VM: write 'from-vm' (Neutron's ingress is 'to-vm')",
    });
    expect(await p.command('CreateAclRule', old('egress'))).toMatchObject({
      ok: false,
      error: {
        code: 'ACL_DIRECTION_RENAMED',
        message:
          "direction 'egress' meant traffic to the VM: write 'to-vm' (Neutron's egress is 'from-vm')",
      },
    });
    expect((await p.logState()).version).toBe(version);
  });

  it('keeps the meaning of a rule stored in the old words (AclRuleCreated v3 egress = to-vm)', async () => {
    // A rule as a master before the rename wrote it: egress, i.e. what is delivered to b.
    await p.stopMaster();
    const db = new pg.Client({ connectionString: p.db.url });
    await db.connect();
    try {
      await db.query(
        `INSERT INTO es_events (stream_id, stream_version, event_id, event_type, schema_version, data)
         SELECT $1, max(stream_version) + 1, $2, 'AclRuleCreated', 3, $3 FROM es_events
          WHERE stream_id = $1`,
        [
          `pool:${pool}`,
          randomUUID(),
          {
            ruleId: 'stored-egress',
            scope: { kind: 'vif', vifId: vifOf('b') },
            direction: 'egress',
            priority: 100,
            match: {
              protocol: 'tcp',
              cidr: null,
              addressSetId: null,
              remoteGroupId: null,
              portFrom: OLD_RULE_PORT,
              portTo: OLD_RULE_PORT,
            },
            action: 'drop',
            stateless: false,
          },
        ],
      );
    } finally {
      await db.end();
    }
    await p.startMaster();
    const { state } = await p.logState();
    expect(state.aclRules.get('stored-egress')?.direction).toBe('to-vm');
    await converged();
    expect(await tcp('a', 'b', OLD_RULE_PORT)).toBe(false);
    expect(await tcp('b', 'a', OLD_RULE_PORT)).toBe(true);
    // The master reads it the same way: a rule now written next to it in the new words for the
    // same slot overlaps it.
    const overlap = await p.command(
      'CreateAclRule',
      dropTcp('same-slot', 'b', 'to-vm', OLD_RULE_PORT),
    );
    expect(overlap).toMatchObject({ ok: false, error: { code: 'ACL_RULE_OVERLAP' } });
  });
});
