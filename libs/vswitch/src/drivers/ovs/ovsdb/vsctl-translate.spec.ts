import { describe, expect, it } from 'vitest';
import { MemoryOvsdb } from '../../../testing/memory-ovsdb.js';
import { resolveOvsOptions } from '../ovs-options.js';
import { stepsFor } from '../ovs-steps.js';
import type { Operation } from '../../../planner/operation.js';
import { uplinkBridgeName } from '../../../model/naming.js';
import { asMap, asOptionalNumber, asSet, asStringMap, asUuid, asUuids } from '../ovsdb-json.js';
import { VsctlTranslation } from './vsctl-translate.js';

const options = resolveOvsOptions({ runDir: '/tmp/unused' });

/** Translates the commands against the database's replica and commits them there. */
function run(db: MemoryOvsdb, commands: string[][]) {
  const operations = VsctlTranslation.operations(commands, db.replica(), db.schema);
  db.transact(operations);
  return operations;
}

function apply(db: MemoryOvsdb, op: Operation) {
  let next = 0;
  const steps = stepsFor(op, options, () => `pn${next++}`);
  run(db, steps.db);
  if (steps.afterDb.length > 0) run(db, steps.afterDb);
}

/** The names of a bridge's ports, and of each port's interfaces. */
function layout(db: MemoryOvsdb, bridge: string): Record<string, string[]> {
  const row = db.named('Bridge', bridge);
  const byUuid = (table: string, uuid: string) =>
    db.all(table).find((r) => asUuid(r._uuid) === uuid);
  return Object.fromEntries(
    asUuids(row?.ports).map((p) => {
      const port = byUuid('Port', p)!;
      const ifaces = asUuids(port.interfaces).map((i) => String(byUuid('Interface', i)!.name));
      return [String(port.name), ifaces.sort()];
    }),
  );
}

describe('ovs-vsctl commands as OVSDB operations', () => {
  it('creates a bridge with its local port, and --may-exist leaves it alone', () => {
    const db = new MemoryOvsdb();
    apply(db, { kind: 'createBridge', bridge: 'pnb-n1', networkId: 'n1', mtu: 1400 });
    const bridge = db.named('Bridge', 'pnb-n1')!;
    expect(layout(db, 'pnb-n1')).toEqual({ 'pnb-n1': ['pnb-n1'] });
    expect(bridge.fail_mode).toBe('secure');
    expect(asSet(bridge.protocols)).toEqual(['OpenFlow10', 'OpenFlow13', 'OpenFlow14']);
    expect(asStringMap(bridge.external_ids).get('poolnet-network')).toBe('n1');
    expect(db.named('Interface', 'pnb-n1')?.type).toBe('internal');
    expect(asOptionalNumber(db.named('Interface', 'pnb-n1')?.mtu_request)).toBe(1400);
    expect(asUuids(db.all('Open_vSwitch')[0]?.bridges)).toEqual([asUuid(bridge._uuid)]);

    // Again: the bridge exists and has its settings, so nothing is sent.
    expect(run(db, [['--may-exist', 'add-br', 'pnb-n1']])).toEqual([]);
    let next = 0;
    const create = { kind: 'createBridge' as const, bridge: 'pnb-n1', networkId: 'n1', mtu: 1400 };
    expect(run(db, stepsFor(create, options, () => `pn${next++}`).db)).toEqual([]);
    expect(() => run(db, [['add-br', 'pnb-n1']])).toThrow(/already exists/);
  });

  it('adds a VIF port pending, with its records, and deletes it with its interface', () => {
    const db = new MemoryOvsdb();
    apply(db, { kind: 'createBridge', bridge: 'br', networkId: 'n1', mtu: 1500 });
    apply(db, { kind: 'addPort', bridge: 'br', port: 'pnv-a', vifId: 'v-a', vmId: 'a' });
    expect(layout(db, 'br')).toEqual({ br: ['br'], 'pnv-a': ['pnv-a'] });
    const port = db.named('Port', 'pnv-a')!;
    expect([port.vlan_mode, asOptionalNumber(port.tag)]).toEqual(['access', 4095]);
    const ids = asStringMap(db.named('Interface', 'pnv-a')!.external_ids);
    expect(Object.fromEntries(ids)).toEqual({
      'poolnet-vif': 'v-a',
      'poolnet-vm': 'a',
      'iface-id': 'v-a',
    });

    apply(db, { kind: 'deletePort', bridge: 'br', port: 'pnv-a' });
    expect(layout(db, 'br')).toEqual({ br: ['br'] });
    expect(db.named('Port', 'pnv-a')).toBeUndefined();
    expect(db.named('Interface', 'pnv-a')).toBeUndefined();
    // Absent now: --if-exists makes it nothing, without it is an error.
    expect(run(db, [['--if-exists', 'del-port', 'pnv-a']])).toEqual([]);
    expect(() => run(db, [['del-port', 'pnv-a']])).toThrow(/no port named pnv-a/);
  });

  it('sets and removes single external_ids keys by mutation, leaving other keys alone', () => {
    const db = new MemoryOvsdb();
    apply(db, { kind: 'createBridge', bridge: 'br', networkId: 'n1', mtu: 1500 });
    apply(db, { kind: 'addPort', bridge: 'br', port: 'p', vifId: 'v', vmId: 'm' });
    const address = { mac: '02:00:00:00:00:01', ipv4: '10.0.0.1', ipv6: 'fd00::1' };
    const ops = run(db, [
      ['set', 'Interface', 'p', 'external_ids:attached-mac="02:00:00:00:00:01"'],
    ]);
    expect(ops.map((o) => o.op)).toEqual(['mutate']);
    apply(db, { kind: 'setPortAddress', bridge: 'br', port: 'p', address });
    const ids = asStringMap(db.named('Interface', 'p')!.external_ids);
    expect(ids.get('poolnet-ipv6')).toBe('fd00::1');
    expect(ids.get('poolnet-vif')).toBe('v');
    apply(db, { kind: 'setPortAddress', bridge: 'br', port: 'p', address: { mac: address.mac } });
    const after = asStringMap(db.named('Interface', 'p')!.external_ids);
    expect([after.has('poolnet-ipv4'), after.has('poolnet-ipv6'), after.get('poolnet-vm')]).toEqual(
      [false, false, 'm'],
    );
  });

  it('sends nothing for writes that leave every column as it is (no reconfiguration to wait for)', () => {
    const db = new MemoryOvsdb();
    apply(db, { kind: 'createBridge', bridge: 'br', networkId: 'n1', mtu: 1500 });
    const add: Operation = { kind: 'addPort', bridge: 'br', port: 'p', vifId: 'v', vmId: 'm' };
    apply(db, add);
    const steps = (op: Operation) => stepsFor(op, options, () => 'pn0').db;
    expect(run(db, steps(add))).toEqual([]);
    const address = { mac: '02:00:00:00:00:01', ipv4: '10.0.0.1' };
    const setAddress: Operation = { kind: 'setPortAddress', bridge: 'br', port: 'p', address };
    apply(db, setAddress);
    // Its keys removed and set back the same: nothing changes, nothing is sent.
    expect(run(db, steps(setAddress))).toEqual([]);
    // Set back otherwise: the removal and both keys' writes go.
    const moved = { ...setAddress, address: { ...address, ipv4: '10.0.0.2' } };
    expect(run(db, steps(moved)).map((o) => o.op)).toEqual(['mutate', 'mutate', 'mutate']);
    expect(asStringMap(db.named('Interface', 'p')!.external_ids).get('poolnet-ipv4')).toBe(
      '10.0.0.2',
    );
  });

  it('rebuilds an uplink bond in one transaction (the same names deleted and added)', () => {
    const db = new MemoryOvsdb();
    const uplink = { device: 'bond0', bridge: 'pnu-bond0' };
    apply(db, {
      kind: 'setUplink',
      uplink: { ...uplink, bond: { members: ['e1', 'e2'], mode: 'lacp' } },
    });
    expect(layout(db, 'pnu-bond0')).toEqual({ 'pnu-bond0': ['pnu-bond0'], bond0: ['e1', 'e2'] });
    const first = asUuid(db.named('Port', 'bond0')!._uuid);
    apply(db, {
      kind: 'setUplink',
      uplink: { ...uplink, bond: { members: ['e1', 'e3'], mode: 'active-backup' } },
    });
    expect(layout(db, 'pnu-bond0')).toEqual({ 'pnu-bond0': ['pnu-bond0'], bond0: ['e1', 'e3'] });
    const port = db.named('Port', 'bond0')!;
    expect(asUuid(port._uuid)).not.toBe(first);
    expect([port.bond_mode, port.lacp]).toEqual(['active-backup', 'off']);
    expect(db.named('Interface', 'e2')).toBeUndefined();
  });

  it('patches a network bridge to its uplink bridge and unpatches it', () => {
    const db = new MemoryOvsdb();
    const up = uplinkBridgeName('eth0');
    apply(db, { kind: 'setUplink', uplink: { device: 'eth0', bridge: up } });
    apply(db, { kind: 'createBridge', bridge: 'pnb-n1', networkId: 'n1', mtu: 1500 });
    const op: Operation = {
      kind: 'setBridgeUplink',
      bridge: 'pnb-n1',
      uplink: { device: 'eth0', vlan: 10 },
    };
    apply(db, op);
    apply(db, op); // again: the patch ports are replaced, not duplicated
    const uplinkPorts = Object.keys(layout(db, up)).sort();
    expect(uplinkPorts).toHaveLength(3);
    const patch = uplinkPorts.find((p) => p !== up && p !== 'eth0')!;
    expect(asOptionalNumber(db.named('Port', patch)!.tag)).toBe(10);
    expect(db.named('Interface', patch)!.type).toBe('patch');
    apply(db, { kind: 'setBridgeUplink', bridge: 'pnb-n1', uplink: null });
    expect(Object.keys(layout(db, up)).sort()).toEqual(['eth0', up].sort());
    expect(Object.keys(layout(db, 'pnb-n1'))).toEqual(['pnb-n1']);
  });

  it('creates QoS and Queue rows through forward @references, and clears the port', () => {
    const db = new MemoryOvsdb();
    apply(db, { kind: 'createBridge', bridge: 'br', networkId: 'n1', mtu: 1500 });
    apply(db, { kind: 'addPort', bridge: 'br', port: 'p', vifId: 'v', vmId: 'm' });
    const qos = { ingressKbps: 0, ingressBurstKb: 0, egressKbps: 10_000, egressBurstKb: 1000 };
    apply(db, { kind: 'setPortQos', bridge: 'br', port: 'p', qos });
    const [row] = db.all('QoS');
    expect(asUuid(db.named('Port', 'p')!.qos)).toBe(asUuid(row!._uuid));
    expect(row!.type).toBe('linux-htb');
    const queue = asUuid(asMap(row!.queues).get('0'));
    expect(
      asStringMap(db.all('Queue').find((q) => asUuid(q._uuid) === queue)!.other_config),
    ).toEqual(
      new Map([
        ['max-rate', '10000000'],
        ['burst', '1000000'],
      ]),
    );
    apply(db, { kind: 'setPortQos', bridge: 'br', port: 'p', qos: null });
    expect(asSet(db.named('Port', 'p')!.qos)).toEqual([]);
    // QoS is a root table: the row stays until the driver destroys it (qos-gc.ts).
    expect(db.all('QoS')).toHaveLength(1);
    run(db, [['destroy', 'QoS', asUuid(row!._uuid)!]]);
    expect(db.all('QoS')).toHaveLength(0);
  });

  it('replaces a bridge mirror set; the dropped Mirror rows are collected', () => {
    const db = new MemoryOvsdb();
    apply(db, { kind: 'createBridge', bridge: 'br', networkId: 'n1', mtu: 1500 });
    for (const p of ['a', 'b', 'mon']) {
      apply(db, { kind: 'addPort', bridge: 'br', port: p, vifId: p, vmId: p });
    }
    const mirror = {
      name: 'm1',
      mirrorId: 'mid',
      direction: 'ingress' as const,
      sourcePorts: ['a', 'b'],
      outputPort: 'mon',
    };
    apply(db, { kind: 'setMirrors', bridge: 'br', mirrors: [mirror] });
    const [row] = db.all('Mirror');
    const uuidOfPort = (name: string) => asUuid(db.named('Port', name)!._uuid);
    expect(asUuids(row!.select_src_port).sort()).toEqual([uuidOfPort('a'), uuidOfPort('b')].sort());
    expect(asSet(row!.select_dst_port)).toEqual([]);
    expect(asUuid(row!.output_port)).toBe(uuidOfPort('mon'));
    apply(db, { kind: 'setMirrors', bridge: 'br', mirrors: [{ ...mirror, name: 'm2' }] });
    expect(db.all('Mirror').map((m) => m.name)).toEqual(['m2']);
    apply(db, { kind: 'setMirrors', bridge: 'br', mirrors: [] });
    expect(db.all('Mirror')).toEqual([]);
  });

  it('deletes a bridge with its ports and interfaces', () => {
    const db = new MemoryOvsdb();
    apply(db, { kind: 'createBridge', bridge: 'br', networkId: 'n1', mtu: 1500 });
    apply(db, { kind: 'addPort', bridge: 'br', port: 'p', vifId: 'v', vmId: 'm' });
    apply(db, { kind: 'deleteBridge', bridge: 'br' });
    expect([db.all('Bridge'), db.all('Port'), db.all('Interface')]).toEqual([[], [], []]);
    expect(asUuids(db.all('Open_vSwitch')[0]?.bridges)).toEqual([]);
  });

  it("writes the Open_vSwitch row's records ('.') and reports unknown names as ovs-vsctl does", () => {
    const db = new MemoryOvsdb();
    run(db, [['set', 'Open_vSwitch', '.', 'external_ids:poolnet-if-x=abc']]);
    expect(asStringMap(db.all('Open_vSwitch')[0]!.external_ids).get('poolnet-if-x')).toBe('abc');
    run(db, [['--if-exists', 'remove', 'Open_vSwitch', '.', 'external_ids', 'poolnet-if-x']]);
    expect(asStringMap(db.all('Open_vSwitch')[0]!.external_ids).size).toBe(0);
    expect(() => run(db, [['set', 'Port', 'nope', 'tag=1']])).toThrow(
      /no row "nope" in table Port/,
    );
    expect(run(db, [['--if-exists', 'set', 'Port', 'nope', 'tag=1']])).toEqual([]);
    expect(() => run(db, [['add-port', 'nobridge', 'p']])).toThrow(/no bridge named nobridge/);
    expect(() => run(db, [['set', 'Port', 'x', 'tag=a']])).toThrow();
  });
});
