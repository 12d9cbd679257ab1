/**
 * Reverts, imports and batches applied as one change (issue 22) against the built master,
 * PostgreSQL, NATS and member hosts on the memory datapath: a revert's dry run and its
 * application bring the pool back to version N's configuration but for what it lists (a VM
 * created since that runs now), as one atomic change whose events say they are the revert, and
 * the hosts converge to the digest the model computes for N's configuration; a batch with one
 * bad command changes nothing and names its index, on REST, NATS and gRPC alike; an export
 * imported into a new pool gives the same configuration.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CommandOutcome,
  type CommandReply,
  type EventEnvelope,
  type PoolExport,
  type PoolStateAt,
  type RevertPlan,
} from '@pool/contracts';
import { diffPoolStates, type PoolSnapshot } from '@pool/domain';
import { hostDigest } from '@pool/pool-topology';
import { freePort } from '../support/processes.js';
import { startPool, until, type MemberHost, type TestPool } from './support/member-host-pool.js';
import { poolMasterGrpcClient } from './support/pool-master-grpc-client.js';
import { configOf } from './support/pool-config.js';
import { runBuiltPoolctl } from './support/poolctl-cli.js';

const POOL = `rv-${randomUUID().slice(0, 8)}`;
const HOSTS = ['h1', 'h2'];
let p: TestPool;
let grpcAddress: string;
let workDir: string;
/** The version whose configuration the revert goes back to. */
let N: number;
const host = (name: string): MemberHost => p.hosts.get(name)!;

type Json = Record<string, unknown>;

async function rest<T = Json>(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: T }> {
  const response = await fetch(`${p.masterBase()}${path}`, {
    method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as T };
}

const stateOf = async (pool: string, version?: number) =>
  (
    await rest<PoolStateAt>(
      'GET',
      `/pools/${pool}/state${version === undefined ? '' : `?version=${version}`}`,
    )
  ).body;

const poolctl = (args: string[], pool = POOL) =>
  runBuiltPoolctl(args, { POOLNET_MASTER: p.masterBase(), POOLNET_POOL: pool });

/** The host's own report (its /status): the version and digest it applied. */
async function reportsDigest(h: MemberHost, digest: string): Promise<void> {
  await until(async () => (await h.status()).applied?.digest === digest, `${h.name} at ${digest}`);
}

beforeAll(async () => {
  grpcAddress = `127.0.0.1:${await freePort()}`;
  workDir = await mkdtemp(join(tmpdir(), 'poolnet-revert-'));
  p = await startPool(POOL, { GRPC_URL: grpcAddress });
  await p.ok('CreatePool', { poolId: POOL, name: 'Revert me' });
  await Promise.all(HOSTS.map((name) => p.startHost(name)));
  for (const name of HOSTS) {
    await until(async () => (await host(name).status()).member === true, `${name} to join`);
  }
  const network = (networkId: string, vlan: number) =>
    p.ok('CreateNetwork', {
      ...{ networkId, name: networkId, purpose: 'vm', kind: 'external', device: 'eth0', vlan },
    });
  // Version N: two networks, two running VMs (b with a NIC on each), an address set, rules.
  await network('n10', 10);
  await network('n20', 20);
  await p.ok('CreateAddressSet', {
    addressSetId: 'office',
    name: 'office',
    cidrs: ['10.9.0.0/16'],
  });
  const qos = { ingressKbps: 10_000, ingressBurstKb: 1000, egressKbps: 0, egressBurstKb: 0 };
  await p.ok('CreateVm', { vmId: 'a', name: 'a' });
  await p.ok('CreateVif', {
    vifId: 'a-0',
    vmId: 'a',
    device: 0,
    networkId: 'n10',
    ipv4: '10.0.10.1',
    qos,
  });
  await p.ok('StartVm', { vmId: 'a', hostId: 'h1' });
  await p.ok('CreateVm', { vmId: 'b', name: 'b' });
  await p.ok('CreateVif', {
    vifId: 'b-0',
    vmId: 'b',
    device: 0,
    networkId: 'n10',
    ipv4: '10.0.10.2',
  });
  await p.ok('CreateVif', {
    vifId: 'b-1',
    vmId: 'b',
    device: 1,
    networkId: 'n20',
    ipv4: '10.0.20.2',
  });
  await p.ok('StartVm', { vmId: 'b', hostId: 'h2' });
  const rule = {
    direction: 'from-vm',
    action: 'drop',
    scope: { kind: 'network', networkId: 'n10' },
  };
  await p.ok('CreateAclRule', {
    ruleId: 'no-ssh',
    priority: 100,
    match: { protocol: 'tcp', portFrom: 22 },
    ...rule,
  });
  N = await p.ok('CreateAclRule', {
    ...{ ruleId: 'office-in', scope: { kind: 'network', networkId: 'n10' }, direction: 'to-vm' },
    ...{ priority: 200, match: { protocol: 'tcp', addressSetId: 'office' }, action: 'allow' },
  });
  // After N: every kind of change a revert undoes, and one it cannot (d, created and started).
  await p.ok('UpdateVif', { vifId: 'a-0', ipv4: '10.0.10.11', qos: { ...qos, ingressKbps: 5000 } });
  await p.ok('DeleteAclRule', { ruleId: 'no-ssh' });
  await p.ok('CreateAclRule', {
    ruleId: 'no-rdp',
    priority: 110,
    match: { protocol: 'tcp', portFrom: 3389 },
    ...rule,
  });
  await p.ok('SetNetworkAclDefault', { networkId: 'n10', defaultPolicy: 'deny' });
  await p.ok('UpdateNetwork', { networkId: 'n20', mtu: 1400 });
  await p.ok('UpdateAddressSet', { addressSetId: 'office', cidrs: ['10.8.0.0/16'] });
  await network('n30', 30);
  await p.ok('CreateSecurityGroup', { groupId: 'web', name: 'web' });
  await p.ok('AddSecurityGroupMember', { groupId: 'web', vifId: 'a-0' });
  await p.ok('DestroyVif', { vifId: 'b-1' });
  await p.ok('CreateVm', { vmId: 'c', name: 'c' });
  await p.ok('CreateVif', { vifId: 'c-0', vmId: 'c', device: 0, networkId: 'n30' });
  await p.ok('CreateVm', { vmId: 'd', name: 'd' });
  await p.ok('CreateVif', {
    vifId: 'd-0',
    vmId: 'd',
    device: 0,
    networkId: 'n10',
    ipv4: '10.0.10.4',
  });
  await p.ok('StartVm', { vmId: 'd', hostId: 'h2' }, { wait: 'hosts' });
}, 120_000);

afterAll(async () => {
  await p?.close();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

describe('a revert', () => {
  it('dry run: lists the commands and what they cannot bring back, and changes nothing', async () => {
    const head = (await stateOf(POOL)).version;
    const dry = await poolctl(['revert', '--to', String(N)]);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain(`back from version ${head} to ${N} (dry run, nothing applied)`);
    expect(dry.stdout).toMatch(/^ {2}vms\/d: created since and running now/m);
    expect(dry.stdout).toMatch(/^ {2}vifs\/d-0: its VM d runs now and stays/m);
    expect(dry.stdout).toMatch(/^ {2}CreateVif \{"vifId":"b-1"/m);
    expect((await stateOf(POOL)).version).toBe(head);
  });

  it('applied: one change at the version shown, back to N but for what it lists; hosts converge', async () => {
    const head = (await stateOf(POOL)).version;
    const { body: plan } = await rest<RevertPlan>('GET', `/pools/${POOL}/revert?to=${N}`);
    expect(plan).toMatchObject({ from: head, to: N });
    const run = await poolctl(['revert', '--to', String(N), '--apply', '--wait']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('not reverted (applied without them):');
    expect(run.stderr).toContain('vms/d: created since and running now');
    expect(run.stdout).toContain(
      `back from version ${head} to ${N}: applied ${plan.commands.length} command(s)`,
    );

    // One change: every event of it carries the revert's command id, part and cause.
    const { body: page } = await rest<{ events: EventEnvelope[] }>(
      'GET',
      `/pools/${POOL}/events?after=${head}`,
    );
    expect(page.events.length).toBeGreaterThanOrEqual(plan.commands.length);
    const ids = new Set(page.events.map((e) => e.metadata.commandId));
    expect(ids.size).toBe(1);
    for (const event of page.events) {
      expect(event.metadata).toMatchObject({
        actor: 'anonymous',
        causation: { type: 'RevertPool', revert: { from: head, to: N } },
        part: expect.any(Number),
      });
    }
    expect(page.events.at(-1)!.metadata.part).toBe(plan.commands.length - 1);

    // The configuration is N's, but for the running VM created since and its NIC.
    const atN = (await stateOf(POOL, N)).state;
    const now = (await stateOf(POOL)).state;
    const left = diffPoolStates(configOf(atN), configOf(now)).map((c) => `${c.kind}/${c.id}`);
    expect(left).toEqual(['vms/d', 'vifs/d-0']);
    expect(plan.notReverted.map((n) => `${n.kind}/${n.id}`)).toEqual(left);

    // h1 does not carry d: it reports the digest the model computes for N's configuration.
    const n = await p.logState(N);
    const { digest: h1 } = await p.converged(host('h1'));
    expect(h1).toBe(hostDigest(n.state, 'h1'));
    const { digest: h2 } = await p.converged(host('h2'));
    expect(h2).not.toBe(hostDigest(n.state, 'h2'));
  });

  it("the operator's choice for what it left: d stopped and destroyed as one batch; every host at N's digest", async () => {
    const head = (await stateOf(POOL)).version;
    const batch = {
      expectedVersion: head,
      commands: [
        { type: 'StopVm', data: { vmId: 'd' } },
        { type: 'DestroyVm', data: { vmId: 'd' } },
      ],
    };
    const key = { 'idempotency-key': `stop-d-${POOL}` };
    const first = await rest<CommandOutcome>(
      'POST',
      `/pools/${POOL}/changes?wait=hosts`,
      batch,
      key,
    );
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body).toMatchObject({
      firstVersion: head + 1,
      duplicate: false,
      batch: { type: 'ApplyChanges', commands: 2 },
    });
    expect(Object.keys(first.body.hosts ?? {}).sort()).toEqual(HOSTS);
    const again = await rest<CommandOutcome>('POST', `/pools/${POOL}/changes`, batch, key);
    expect(again.body).toMatchObject({ version: first.body.version, duplicate: true });

    const atN = (await stateOf(POOL, N)).state;
    expect(diffPoolStates(configOf(atN), configOf((await stateOf(POOL)).state))).toEqual([]);
    const n = await p.logState(N);
    for (const name of HOSTS) {
      const expected = hostDigest(n.state, name);
      await reportsDigest(host(name), expected);
      expect((await p.converged(host(name))).digest).toBe(expected);
    }
    // A revert at a version the pool has left is refused whole.
    const stale = await rest('POST', `/pools/${POOL}/revert`, {
      toVersion: N,
      expectedVersion: head,
    });
    expect(stale).toMatchObject({ status: 409, body: { code: 'VERSION_MISMATCH' } });
    const nothing = await rest('POST', `/pools/${POOL}/revert`, {
      toVersion: N,
      expectedVersion: first.body.version,
    });
    expect(nothing).toMatchObject({ status: 409, body: { code: 'NOTHING_TO_REVERT' } });
  });
});

describe('a batch', () => {
  const good = [
    {
      type: 'CreateNetwork',
      data: {
        networkId: 'n40',
        name: 'n40',
        purpose: 'vm',
        kind: 'external',
        device: 'eth0',
        vlan: 40,
      },
    },
    { type: 'CreateVm', data: { vmId: 'e', name: 'e' } },
    // Rests on the two before it.
    { type: 'CreateVif', data: { vifId: 'e-0', vmId: 'e', device: 0, networkId: 'n40' } },
  ];
  const bad = [
    ...good.slice(0, 2),
    { type: 'CreateVif', data: { vifId: 'e-0', vmId: 'e', device: 0, networkId: 'nope' } },
  ];

  it('with one bad command changes nothing and names its index, on REST, NATS and gRPC', async () => {
    const before = await stateOf(POOL);
    const head = before.version;
    const refused = await rest<{ code: string; message: string; details: Json }>(
      'POST',
      `/pools/${POOL}/changes`,
      {
        expectedVersion: head,
        commands: bad,
      },
    );
    expect(refused.status).toBe(404);
    expect(refused.body).toMatchObject({
      code: 'NETWORK_NOT_FOUND',
      details: { index: 2, commandType: 'CreateVif' },
    });
    expect(refused.body.message).toMatch(
      /^Command 2 \(CreateVif\) of 3 was refused, so none was applied/,
    );

    const nats = await p.command('ApplyChanges', { expectedVersion: head, commands: bad });
    expect(nats).toMatchObject({
      ok: false,
      error: { code: 'NETWORK_NOT_FOUND', details: { index: 2 } },
    });
    // Refused before the decider: a malformed command, by its index.
    const malformed = await p.command('ApplyChanges', {
      expectedVersion: head,
      commands: [good[0], { type: 'CreateVm', data: { vmId: 'x' } }],
    });
    expect(malformed).toMatchObject({
      ok: false,
      error: { status: 400, code: 'VALIDATION_FAILED', details: { index: 1 } },
    });

    const { client, errorReply } = poolMasterGrpcClient(grpcAddress);
    try {
      const error = await new Promise<grpc.ServiceError>((resolve, reject) =>
        client.Execute(
          {
            pool: POOL,
            type: 'ApplyChanges',
            dataJson: JSON.stringify({ commands: bad }),
            expectedVersion: head,
          },
          {},
          (e) => (e ? resolve(e) : reject(new Error('accepted'))),
        ),
      );
      expect(error.code).toBe(5); // NOT_FOUND
      expect(error.metadata.get('poolnet-code')[0]).toBe('NETWORK_NOT_FOUND');
      expect(JSON.parse(errorReply(error).error.detailsJson)).toMatchObject({ index: 2 });
    } finally {
      client.close();
    }

    const after = await stateOf(POOL);
    expect(after.version).toBe(head);
    expect(after.state).toEqual(before.state);
  });

  it('is refused whole at a stale version (409), and for a role other than admin', async () => {
    const head = (await stateOf(POOL)).version;
    const stale = await rest('POST', `/pools/${POOL}/changes`, {
      expectedVersion: head - 1,
      commands: good,
    });
    expect(stale).toMatchObject({
      status: 409,
      body: { code: 'VERSION_MISMATCH', details: { currentVersion: head } },
    });
    const noVersion = await rest('POST', `/pools/${POOL}/changes`, { commands: good });
    expect(noVersion).toMatchObject({ status: 400, body: { code: 'EXPECTED_VERSION_REQUIRED' } });
    const msg = await p.nats.nc.request(
      p.nats.commandSubject(POOL, 'ApplyChanges', { role: 'operator', user: 'e2e' }),
      JSON.stringify({ data: { expectedVersion: head, commands: good } }),
      { timeout: 10_000 },
    );
    expect(msg.json<CommandReply>()).toMatchObject({
      ok: false,
      error: { status: 403, code: 'FORBIDDEN' },
    });
    expect((await stateOf(POOL)).version).toBe(head);
  });

  it('applies commands that rest on each other, over gRPC, as one change', async () => {
    const head = (await stateOf(POOL)).version;
    const { client } = poolMasterGrpcClient(grpcAddress);
    try {
      const reply = await new Promise<{
        result: { version: number; firstVersion: number; batchJson: string; events: unknown[] };
      }>((resolve, reject) =>
        client.Execute(
          {
            pool: POOL,
            type: 'ApplyChanges',
            dataJson: JSON.stringify({ expectedVersion: head, commands: good }),
          },
          {},
          (e, r) => (e ? reject(e) : resolve(r)),
        ),
      );
      expect(reply.result).toMatchObject({ firstVersion: head + 1, version: head + 3 });
      expect(JSON.parse(reply.result.batchJson)).toEqual({ type: 'ApplyChanges', commands: 3 });
    } finally {
      client.close();
    }
    const { body } = await rest<{ events: EventEnvelope[] }>(
      'GET',
      `/pools/${POOL}/events?after=${head}`,
    );
    expect(body.events.map((e) => [e.type, e.metadata.part])).toEqual([
      ['NetworkCreated', 0],
      ['VmCreated', 1],
      ['VifCreated', 2],
    ]);
  });
});

describe('export and import', () => {
  it('export then import into a new pool gives the same configuration', async () => {
    const exported = await poolctl(['export']);
    expect(exported.code, exported.stderr).toBe(0);
    const file = join(workDir, 'pool.jsonl');
    await writeFile(file, exported.stdout);
    const copy = `${POOL}-copy`;
    const imported = await poolctl(['import', file], copy);
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stdout).toMatch(
      new RegExp(`^pool ${copy}: imported \\d+ command\\(s\\), version \\d+`),
    );
    const source = (await stateOf(POOL)).state;
    expect(configOf((await stateOf(copy)).state)).toEqual(configOf(source));
    // All of it one change: one command id.
    const { body } = await rest<{ events: EventEnvelope[] }>(
      'GET',
      `/pools/${copy}/events?after=0&limit=1000`,
    );
    expect(new Set(body.events.map((e) => e.metadata.commandId)).size).toBe(1);
    expect(body.events[0]!.metadata.causation).toEqual({ type: 'ImportPool' });

    // Again into the same pool: it is no longer empty.
    const twice = await poolctl(['import', file], copy);
    expect(twice.code).toBe(1);
    expect(twice.stderr).toContain('POOL_NOT_EMPTY');

    // Over NATS into a pool that exists and holds nothing: its own CreatePool stays.
    const { body: exportJson } = await rest<PoolExport>('GET', `/pools/${POOL}/export`);
    const empty = `${POOL}-empty`;
    const send = async (type: string, data: unknown) =>
      (
        await p.nats.nc.request(p.nats.commandSubject(empty, type), JSON.stringify({ data }), {
          timeout: 30_000,
        })
      ).json<CommandReply>();
    expect(await send('CreatePool', { poolId: empty, name: 'Empty' })).toMatchObject({ ok: true });
    const reply = await send('ImportPool', { commands: exportJson.commands, expectedVersion: 1 });
    expect(reply.ok, JSON.stringify(reply)).toBe(true);
    const emptied = (await stateOf(empty)).state as PoolSnapshot;
    expect(emptied.name).toBe('Empty');
    expect(configOf(emptied)).toEqual({ ...configOf(source), name: 'Empty' });
  });
});
