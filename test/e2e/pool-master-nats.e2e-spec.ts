/**
 * The pool master over NATS request-reply, as a user's program drives it (plain JSON bodies on
 * `<root>.<pool>.cmd.<role>.<user>.<CommandType>`, no Nest client): a pool configured end to
 * end, typed errors for refused and malformed requests and subjects with the log unchanged, and
 * idempotent retries. The built app runs as its own process.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CommandReply } from '@pool/contracts';
import { createTestDatabase } from '../support/databases.js';
import { createTestNats } from '../support/nats.js';
import { startPoolMasterProcess } from '../support/pool-master-process.js';
import { killStarted } from '../support/processes.js';

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let nats: Awaited<ReturnType<typeof createTestNats>>;
let sql: pg.Client;
const pool = `nats-${randomUUID().slice(0, 8)}`;

beforeAll(async () => {
  db = await createTestDatabase();
  nats = await createTestNats();
  await startPoolMasterProcess(db.url, nats);
  sql = new pg.Client({ connectionString: db.url });
  await sql.connect();
});

afterAll(async () => {
  killStarted();
  await sql.end();
  await nats.close();
  await db.drop();
});

async function raw(type: string, body: string): Promise<CommandReply> {
  const msg = await nats.nc.request(nats.commandSubject(pool, type), body, { timeout: 10_000 });
  return msg.json<CommandReply>();
}
const send = (type: string, data: unknown, extra: object = {}) =>
  raw(type, JSON.stringify({ data, ...extra }));

async function ok(type: string, data: unknown, extra: object = {}) {
  const reply = await send(type, data, extra);
  if (!reply.ok) throw new Error(`${type}: ${JSON.stringify(reply.error)}`);
  return reply.result;
}

const logLength = async () =>
  Number(
    (
      await sql.query<{ n: string }>('SELECT count(*) AS n FROM es_events WHERE stream_id = $1', [
        `pool:${pool}`,
      ])
    ).rows[0]!.n,
  );

const pifs = (n: number) => [
  { device: 'eth0', mac: `00:16:3e:0${n}:00:00`, mtu: 1500, speedMbps: 10_000, carrier: true },
  { device: 'eth1', mac: `00:16:3e:0${n}:00:01`, mtu: 9000, speedMbps: 25_000, carrier: true },
  { device: 'eth2', mac: `00:16:3e:0${n}:00:02`, mtu: 9000, speedMbps: 25_000, carrier: true },
];

describe('pool master over NATS', () => {
  it('configures a pool end to end', async () => {
    await ok('CreatePool', { poolId: pool, name: 'Over NATS' });
    for (const [i, host] of ['h1', 'h2'].entries()) {
      await ok('JoinHost', {
        hostId: host,
        name: host,
        address: `192.0.2.${i + 1}`,
        managementDevice: 'eth0',
        pifs: pifs(i + 1),
      });
      await ok('SetPifRole', { hostId: host, device: 'eth1', role: 'vm' });
      await ok('CreateBond', {
        bondId: `bond-${host}`,
        hostId: host,
        device: 'bond0',
        members: ['eth1', 'eth2'],
        mode: 'active-backup',
      });
    }
    await ok('CreateNetwork', {
      networkId: 'vlan10',
      name: 'VLAN 10',
      kind: 'external',
      device: 'bond0',
      vlan: 10,
      purpose: 'vm',
      mtu: 9000,
    });
    await ok('CreateNetwork', {
      networkId: 'backend',
      name: 'Backend',
      kind: 'private',
      purpose: 'vm',
    });
    await ok('CreateVm', { vmId: 'web', name: 'web' });
    await ok('CreateVm', { vmId: 'db', name: 'db' });
    const given = await ok('CreateVif', {
      vifId: 'web-0',
      vmId: 'web',
      device: 0,
      networkId: 'vlan10',
      mac: '02:AA:BB:CC:DD:01',
      ipv4: '10.10.0.5',
    });
    expect(given.events[0]).toMatchObject({
      type: 'VifCreated',
      data: { mac: '02:aa:bb:cc:dd:01' },
    });
    const generated = await ok('CreateVif', {
      vifId: 'db-0',
      vmId: 'db',
      device: 0,
      networkId: 'vlan10',
      ipv4: '10.10.0.6',
      portSecurity: true,
    });
    expect((generated.events[0]!.data as { mac: string }).mac).toMatch(
      /^[0-9a-f][26ae](:[0-9a-f]{2}){5}$/,
    );
    // Without a device, the decider takes the VM's lowest free one: db-0 holds 0.
    const second = await ok('CreateVif', { vifId: 'db-1', vmId: 'db', networkId: 'backend' });
    expect(second.events[0]).toMatchObject({ type: 'VifCreated', data: { device: 1 } });
    await ok('CreateAclRule', {
      ruleId: 'no-telnet',
      scope: { kind: 'network', networkId: 'vlan10' },
      direction: 'from-vm',
      priority: 100,
      match: { protocol: 'tcp', portFrom: 23 },
      action: 'drop',
    });
    await ok('CreateMirror', {
      mirrorId: 'tap',
      source: { kind: 'vif', vifId: 'web-0' },
      direction: 'both',
      destinationVifId: 'db-1',
    });
    await ok('StartVm', { vmId: 'web', hostId: 'h1' });
    await ok('StartVm', { vmId: 'db', hostId: 'h1' });
    const migration = await ok('RequestMigration', {
      migrationId: 'm1',
      vmId: 'web',
      toHostId: 'h2',
    });
    expect(migration.events.map((e) => e.type)).toEqual(['MigrationRequested']);
    expect(await logLength()).toBe(migration.version);
  });

  it('carries security groups, address sets and default policies (issue 17 item 3)', async () => {
    const created = await ok('CreateAddressSet', {
      addressSetId: 'office',
      name: 'office',
      cidrs: ['192.0.2.7', '10.0.0.0/8'],
    });
    expect(created.events[0]!.data).toEqual({
      addressSetId: 'office',
      name: 'office',
      cidrs: ['10.0.0.0/8', '192.0.2.7/32'],
    });
    await ok('UpdateAddressSet', { addressSetId: 'office', cidrs: ['10.0.0.0/8'] });
    await ok('CreateSecurityGroup', { groupId: 'sg-web', name: 'web' });
    await ok('SetSecurityGroupPolicy', { groupId: 'sg-web', defaultPolicy: 'allow' });
    await ok('AddSecurityGroupMember', { groupId: 'sg-web', vifId: 'web-0' });
    await ok('SetNetworkAclDefault', { networkId: 'backend', defaultPolicy: 'deny' });
    const rule = await ok('CreateAclRule', {
      ruleId: 'web-ssh',
      scope: { kind: 'group', groupId: 'sg-web' },
      direction: 'from-vm',
      priority: 10,
      match: { protocol: 'tcp', portFrom: 22, addressSetId: 'office' },
      action: 'allow',
    });
    expect(rule.events[0]!.data).toMatchObject({
      scope: { kind: 'group', groupId: 'sg-web' },
      match: { addressSetId: 'office', remoteGroupId: null },
    });
    const before = await logLength();
    const inUse = await send('DeleteAddressSet', { addressSetId: 'office' });
    expect(inUse).toMatchObject({ ok: false, error: { status: 409, code: 'ADDRESS_SET_IN_USE' } });
    const unknown = await send('RemoveSecurityGroupMember', { groupId: 'nope', vifId: 'web-0' });
    expect(unknown).toMatchObject({
      ok: false,
      error: { status: 404, code: 'SECURITY_GROUP_NOT_FOUND' },
    });
    expect(await logLength()).toBe(before);
    const deleted = await ok('DeleteSecurityGroup', { groupId: 'sg-web' });
    expect(deleted.events.map((e) => e.type)).toEqual([
      'AclRuleDeleted',
      'SecurityGroupMemberRemoved',
      'SecurityGroupDeleted',
    ]);
    await ok('DeleteAddressSet', { addressSetId: 'office' });
  });

  const refused: [string, string, string, number, string][] = [
    ['malformed JSON', 'CreateVm', '{"data":', 400, 'MALFORMED_JSON'],
    ['a body that is an array', 'CreateVm', '[1,2]', 400, 'BODY_NOT_OBJECT'],
    ['a body that is a string', 'CreateVm', '"vm"', 400, 'BODY_NOT_OBJECT'],
    ['fields outside data', 'CreateVm', '{"vmId":"x","name":"x"}', 400, 'UNKNOWN_FIELDS'],
    ['an unknown command', 'MakeCoffee', '{"data":{}}', 400, 'UNKNOWN_COMMAND'],
    ['a wrong type', 'CreateVm', '{"data":{"vmId":"x","name":42}}', 400, 'VALIDATION_FAILED'],
    [
      'a duplicate MAC in another case',
      'CreateVif',
      '{"data":{"vifId":"v9","vmId":"db","device":5,"networkId":"vlan10","mac":"02:aa:bb:cc:dd:01"}}',
      409,
      'MAC_IN_USE',
    ],
    [
      'VLAN 4095',
      'CreateNetwork',
      '{"data":{"networkId":"n9","name":"n9","kind":"external","device":"eth1","vlan":4095,"purpose":"vm"}}',
      400,
      'INVALID_VLAN',
    ],
    [
      'an unknown network',
      'CreateVif',
      '{"data":{"vifId":"v9","vmId":"db","device":6,"networkId":"nope"}}',
      404,
      'NETWORK_NOT_FOUND',
    ],
    [
      'destroying a network with VIFs',
      'DestroyNetwork',
      '{"data":{"networkId":"vlan10"}}',
      409,
      'NETWORK_IN_USE',
    ],
    [
      'a stale expected version',
      'CreateVm',
      '{"data":{"vmId":"late","name":"late"},"expectedVersion":1}',
      412,
      'VERSION_MISMATCH',
    ],
    [
      'a bad command id',
      'CreateVm',
      '{"data":{"vmId":"x2","name":"x"},"commandId":""}',
      400,
      'BAD_COMMAND_ID',
    ],
    [
      'a bad wait',
      'CreateVm',
      '{"data":{"vmId":"x3","name":"x"},"wait":"forever"}',
      400,
      'BAD_WAIT',
    ],
  ];
  it.each(refused)(
    'answers %s with a typed error and writes nothing',
    async (_, type, body, status, code) => {
      const before = await logLength();
      const reply = await raw(type, body);
      expect(reply).toMatchObject({ ok: false, error: { status, code } });
      if (!reply.ok) expect(reply.error.message.length).toBeGreaterThan(10);
      expect(await logLength()).toBe(before);
    },
  );

  // Found by the fuzz test: a NUL reached PostgreSQL as part of the pool id and came back a 500.
  it.each([
    ['a NUL', 'p\u0000q'],
    ['capitals', 'Pool'],
  ])('refuses a pool id in the subject with %s as invalid', async (_, badPool) => {
    const before = await logLength();
    const msg = await nats.nc.request(
      nats.commandSubject(badPool, 'StopVm'),
      '{"data":{"vmId":"web"}}',
      {
        timeout: 10_000,
      },
    );
    expect(msg.json<CommandReply>()).toMatchObject({
      ok: false,
      error: { status: 400, code: 'VALIDATION_FAILED' },
    });
    expect(await logLength()).toBe(before);
  });

  it.each([
    ['without a sender (the old shape)', `${pool}.cmd.StopVm`, 400, 'BAD_SUBJECT'],
    ['with an unknown role', `${pool}.cmd.root.e2e.StopVm`, 401, 'UNAUTHENTICATED'],
    ['as a read-only sender', `${pool}.cmd.read-only.e2e.StopVm`, 403, 'FORBIDDEN'],
    [
      'as an operator, for an admin command',
      `${pool}.cmd.operator.e2e.DestroyNetwork`,
      403,
      'FORBIDDEN',
    ],
  ])('refuses a command %s, with a typed error', async (_, subject, status, code) => {
    const before = await logLength();
    const msg = await nats.nc.request(`${nats.root}.${subject}`, '{"data":{"vmId":"web"}}', {
      timeout: 10_000,
    });
    const reply = msg.json<CommandReply>();
    expect(reply).toMatchObject({ ok: false, error: { status, code } });
    if (!reply.ok) expect(reply.error.message).toMatch(/cmd\.<role>\.<user>|role/);
    expect(await logLength()).toBe(before);
  });

  it("records the subject's user as the actor", async () => {
    const operator = { role: 'operator', user: 'scheduler-7' };
    const msg = await nats.nc.request(
      nats.commandSubject(pool, 'CreateVm', operator),
      JSON.stringify({ data: { vmId: 'by-operator', name: 'op' } }),
      { timeout: 10_000 },
    );
    expect(msg.json<CommandReply>()).toMatchObject({ ok: true });
    const { rows } = await sql.query<{ actor: string }>(
      "SELECT metadata->>'actor' AS actor FROM es_events WHERE data->>'vmId' = $1",
      ['by-operator'],
    );
    expect(rows.map((row) => row.actor)).toEqual(['nats:scheduler-7']);
  });

  it('applies a command id once, however often it is retried', async () => {
    const commandId = randomUUID();
    const first = await ok('CreateVm', { vmId: 'retry', name: 'retry' }, { commandId });
    const before = await logLength();
    const again = await ok('CreateVm', { vmId: 'retry', name: 'retry' }, { commandId });
    expect(again).toMatchObject({ duplicate: true, version: first.version, commandId });
    expect(await logLength()).toBe(before);
  });
});
