/**
 * The pool master's gRPC API, called the way a user's program would: its own client stub,
 * loaded with `@grpc/proto-loader` from `libs/contracts/proto`, against real PostgreSQL and NATS.
 *
 * The app is booted in-process: the gRPC module on Nest's gRPC transport, over a command
 * service (commands parsed by `parseCommand`, as in production), event store and NATS
 * connection the suite builds itself, `support/write-side.ts` (no relay runs, so
 * FollowEvents follows the log by polling; the NATS wake-up is covered by the unit spec).
 */
import { randomUUID } from 'node:crypto';
import { connectPoolMaster } from './support/pool-master-grpc-client.js';
import * as grpc from '@grpc/grpc-js';
import { type INestMicroservice, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AuthModule } from '@pool/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grpcServerOptions, PoolMasterGrpcModule } from '../../apps/pool-master/src/grpc/index.js';
import { freePort } from '../support/processes.js';
import { bootWriteSide } from './support/write-side.js';

/** The messages as the client loads them (camelCase, uint64 as number), typed by hand. */
interface CommandReply {
  outcome: 'result' | 'error';
  result: {
    pool: string;
    commandId: string;
    version: number;
    firstVersion: number;
    events: { type: string; version: number; dataJson: string }[];
    duplicate: boolean;
    enabledHosts: string[];
    waitedForHosts: boolean;
    hosts: Record<string, number>;
  };
  error: { status: number; code: string; message: string; detailsJson: string };
}

interface EventMessage {
  id: string;
  pool: string;
  version: number;
  position: string;
  type: string;
  schemaVersion: number;
  dataJson: string;
  metadataJson: string;
  createdAt: string;
}

interface PoolMasterClient extends grpc.Client {
  Execute(
    request: object,
    callback: (error: grpc.ServiceError | null, reply: CommandReply) => void,
  ): grpc.ClientUnaryCall;
  FollowEvents(request: object): grpc.ClientReadableStream<EventMessage>;
}

/** The client a user's program builds from the proto file. */
function connect(address: string) {
  const { PoolMaster, client } = connectPoolMaster<PoolMasterClient>(address);
  const execute = (request: object): Promise<CommandReply> =>
    new Promise((resolve, reject) =>
      client.Execute(request, (error, reply) => (error ? reject(error) : resolve(reply))),
    );
  /** The typed error of a refusal, from its trailers. */
  const refusal = (error: grpc.ServiceError) => ({
    grpcCode: error.code,
    code: error.metadata.get('poolnet-code')[0],
    status: error.metadata.get('poolnet-status')[0],
    reply: PoolMaster.service.Execute!.responseDeserialize(
      error.metadata.get('poolnet-reply-bin')[0] as Buffer,
    ) as CommandReply,
  });
  /** The error a refused call ends with; fails the test if the call succeeded. */
  const refused = (call: Promise<unknown>): Promise<grpc.ServiceError> =>
    call.then(
      () => expect.fail('the command was accepted'),
      (error: grpc.ServiceError) => error,
    );
  return { client, execute, refusal, refused };
}

async function boot() {
  const writeSide = await bootWriteSide('grpc-e2e');
  const { es, nats, convergence, WriteSide } = writeSide;

  // No tokens: open, as in development (test/e2e/access-control covers tokens over gRPC).
  @Module({
    imports: [
      WriteSide,
      AuthModule.forRoot({ tokens: [] }),
      PoolMasterGrpcModule.register({ subjectRoot: nats.root }),
    ],
  })
  class App {}

  const address = `127.0.0.1:${await freePort()}`;
  const app: INestMicroservice = await NestFactory.createMicroservice(App, {
    ...grpcServerOptions(address),
    logger: false,
  });
  await app.listen();
  return {
    address,
    store: es.store,
    convergence,
    close: async () => {
      await app.close();
      await writeSide.close();
    },
  };
}

const POOL = `grpc-${randomUUID().slice(0, 8)}`;
const MAC = '52:54:00:12:34:56';
const json = (value: unknown) => JSON.stringify(value);

describe('pool master over gRPC', () => {
  let server: Awaited<ReturnType<typeof boot>>;
  let api: ReturnType<typeof connect>;
  const logVersion = () => server.store.streamVersion(`pool:${POOL}`);
  const command = (type: string, data: unknown, extra: Record<string, unknown> = {}) =>
    api.execute({ pool: POOL, type, dataJson: json(data), ...extra });

  beforeAll(async () => {
    server = await boot();
    api = connect(server.address);
  });

  afterAll(async () => {
    api?.client.close();
    await server?.close();
  });

  it('configures a pool end to end', async () => {
    const pif = (device: string, n: number) => ({
      device,
      mac: `00:16:3e:00:00:0${n}`,
      mtu: 1500,
      speedMbps: 10_000,
      carrier: true,
    });
    const steps: [string, unknown][] = [
      ['CreatePool', { poolId: POOL, name: 'lab' }],
      [
        'JoinHost',
        {
          hostId: 'host-a',
          name: 'host-a',
          address: '10.0.0.1',
          pifs: [pif('eth0', 1), pif('eth1', 2)],
          managementDevice: 'eth0',
        },
      ],
      [
        'CreateNetwork',
        {
          networkId: 'net-1',
          name: 'vm-100',
          purpose: 'vm',
          kind: 'external',
          device: 'eth1',
          vlan: 100,
        },
      ],
      ['CreateVm', { vmId: 'vm-1', name: 'web' }],
      [
        'CreateVif',
        { vifId: 'vif-1', vmId: 'vm-1', device: 0, networkId: 'net-1', mac: MAC, ipv4: '10.1.0.5' },
      ],
      ['StartVm', { vmId: 'vm-1', hostId: 'host-a' }],
    ];
    let version = 0;
    for (const [type, data] of steps) {
      const reply = await command(type, data, { commandId: randomUUID() });
      expect(reply.outcome).toBe('result');
      expect(reply.result).toMatchObject({
        pool: POOL,
        duplicate: false,
        firstVersion: version + 1,
      });
      expect(reply.result.events.map((e) => e.version)).toEqual(
        Array.from({ length: reply.result.events.length }, (_, i) => version + 1 + i),
      );
      version = reply.result.version;
    }
    expect(await logVersion()).toBe(version);
    const vif = await command('UpdateVif', { vifId: 'vif-1', portSecurity: true });
    expect(vif.result.enabledHosts).toEqual(['host-a']);
    expect(vif.result.waitedForHosts).toBe(false);
  });

  it('reports the pool-generated MAC in the written events', async () => {
    const reply = await command('CreateVm', { vmId: 'vm-2', name: 'db' });
    // No MAC and no device: the pool generates the one and takes the VM's lowest free other.
    const created = await command('CreateVif', {
      vifId: 'vif-2',
      vmId: 'vm-2',
      networkId: 'net-1',
    });
    expect(created.result.firstVersion).toBe(reply.result.version + 1);
    const data = JSON.parse(created.result.events[0]!.dataJson);
    expect(data.mac).toMatch(/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/);
    expect(data.device).toBe(0);
  });

  it('carries security groups, address sets and rules with a group remote (issue 17 item 3)', async () => {
    const rule = (ruleId: string, match: object) => ({
      ruleId,
      scope: { kind: 'group', groupId: 'sg-web' },
      direction: 'from-vm',
      priority: 10,
      match,
      action: 'allow',
    });
    const steps: [string, unknown, string][] = [
      [
        'CreateAddressSet',
        { addressSetId: 'office', name: 'office', cidrs: [] },
        'AddressSetCreated',
      ],
      ['CreateSecurityGroup', { groupId: 'sg-web', name: 'web' }, 'SecurityGroupCreated'],
      ['AddSecurityGroupMember', { groupId: 'sg-web', vifId: 'vif-1' }, 'SecurityGroupMemberAdded'],
      ['AddSecurityGroupMember', { groupId: 'sg-web', vifId: 'vif-2' }, 'SecurityGroupMemberAdded'],
      [
        'SetNetworkAclDefault',
        { networkId: 'net-1', defaultPolicy: 'deny' },
        'NetworkAclDefaultChanged',
      ],
      [
        'CreateAclRule',
        rule('web-peers', { protocol: 'icmp', remoteGroupId: 'sg-web' }),
        'AclRuleCreated',
      ],
      [
        'CreateAclRule',
        rule('web-office', { protocol: 'tcp', portFrom: 22, addressSetId: 'office' }),
        'AclRuleCreated',
      ],
    ];
    for (const [type, data, event] of steps) {
      const reply = await command(type, data);
      expect(reply.result.events.map((e) => e.type)).toEqual([event]);
    }
    const peers = await command('RemoveSecurityGroupMember', { groupId: 'sg-web', vifId: 'vif-2' });
    expect(JSON.parse(peers.result.events[0]!.dataJson)).toEqual({
      groupId: 'sg-web',
      vifId: 'vif-2',
    });
  });

  const refusals: [string, string, unknown, grpc.status, string, string][] = [
    [
      'an unknown security group',
      'AddSecurityGroupMember',
      { groupId: 'nope', vifId: 'vif-1' },
      grpc.status.NOT_FOUND,
      'SECURITY_GROUP_NOT_FOUND',
      '404',
    ],
    [
      'a rule with two remote sides',
      'CreateAclRule',
      {
        ruleId: 'two-remotes',
        scope: { kind: 'vif', vifId: 'vif-1' },
        direction: 'to-vm',
        priority: 1,
        match: { protocol: 'any', cidr: '10.0.0.0/8', addressSetId: 'office' },
        action: 'drop',
      },
      grpc.status.INVALID_ARGUMENT,
      'INVALID_MATCH',
      '400',
    ],
    [
      'a rule in the old direction words (issue 24)',
      'CreateAclRule',
      {
        ruleId: 'old-words',
        scope: { kind: 'vif', vifId: 'vif-1' },
        direction: 'ingress',
        priority: 2,
        match: { protocol: 'tcp', portFrom: 22 },
        action: 'drop',
      },
      grpc.status.INVALID_ARGUMENT,
      'ACL_DIRECTION_RENAMED',
      '400',
    ],
    [
      'deleting a set a rule names',
      'DeleteAddressSet',
      { addressSetId: 'office' },
      grpc.status.FAILED_PRECONDITION,
      'ADDRESS_SET_IN_USE',
      '409',
    ],
    [
      'a duplicate MAC in another case',
      'CreateVif',
      { vifId: 'vif-3', vmId: 'vm-2', device: 1, networkId: 'net-1', mac: MAC.toUpperCase() },
      grpc.status.FAILED_PRECONDITION,
      'MAC_IN_USE',
      '409',
    ],
    [
      'an existing pool',
      'CreatePool',
      { poolId: POOL, name: 'again' },
      grpc.status.ALREADY_EXISTS,
      'POOL_EXISTS',
      '409',
    ],
    [
      'VLAN 4095',
      'CreateNetwork',
      {
        networkId: 'net-9',
        name: 'bad',
        purpose: 'vm',
        kind: 'external',
        device: 'eth1',
        vlan: 4095,
      },
      grpc.status.INVALID_ARGUMENT,
      'INVALID_VLAN',
      '400',
    ],
    [
      'an unknown VM',
      'StartVm',
      { vmId: 'vm-404', hostId: 'host-a' },
      grpc.status.NOT_FOUND,
      'VM_NOT_FOUND',
      '404',
    ],
    [
      'a network with VIFs',
      'DestroyNetwork',
      { networkId: 'net-1' },
      grpc.status.FAILED_PRECONDITION,
      'NETWORK_IN_USE',
      '409',
    ],
  ];

  it.each(refusals)(
    'refuses %s with a typed error and writes nothing',
    async (_, type, data, grpcCode, code, status) => {
      const before = await logVersion();
      const error = await api.refused(command(type, data));
      const refusal = api.refusal(error);
      expect(refusal).toMatchObject({ grpcCode, code, status });
      expect(refusal.reply.outcome).toBe('error');
      expect(refusal.reply.error).toMatchObject({ code, status: Number(status) });
      expect(refusal.reply.error.message).toBe(error.details);
      expect(await logVersion()).toBe(before);
    },
  );

  it.each([
    ['not JSON', { dataJson: '{"vmId":' }, 'MALFORMED_JSON'],
    ['JSON that is not an object', { dataJson: '[1]' }, 'BODY_NOT_OBJECT'],
    ['a pool id with a dot', { pool: 'a.b' }, 'VALIDATION_FAILED'],
    ['an upper-case pool id (REST and NATS refuse it too)', { pool: 'Lab' }, 'VALIDATION_FAILED'],
    ["a pool id with '_'", { pool: 'lab_1' }, 'VALIDATION_FAILED'],
    ['an unknown command type', { type: 'Drop Table' }, 'UNKNOWN_COMMAND'],
  ])('refuses a request with %s as INVALID_ARGUMENT', async (_, override, code) => {
    const request = { pool: POOL, type: 'CreateVm', dataJson: json({ vmId: 'vm-x', name: 'x' }) };
    const error = await api.refused(api.execute({ ...request, ...override }));
    expect(api.refusal(error)).toMatchObject({ grpcCode: grpc.status.INVALID_ARGUMENT, code });
  });

  it('creates an overlay network once every host declares a tunnel endpoint that carries its MTU (issue 19)', async () => {
    const overlay = (mtu?: number) =>
      command('CreateNetwork', {
        networkId: 'ov-1',
        name: 'tenant-a',
        purpose: 'vm',
        kind: 'overlay',
        ...(mtu === undefined ? {} : { mtu }),
      });
    const missing = api.refusal(await api.refused(overlay()));
    expect(missing.code).toBe('TUNNEL_ENDPOINT_MISSING');
    expect(JSON.parse(missing.reply.error.detailsJson).hostIds).toContain('host-a');
    const endpoint = await command('SetTunnelEndpoint', {
      hostId: 'host-a',
      device: 'eth0',
      address: '192.0.2.1',
    });
    expect(endpoint.result.events.map((e) => e.type)).toEqual(['TunnelEndpointSet']);
    const tooLarge = api.refusal(await api.refused(overlay(1500)));
    expect(tooLarge.code).toBe('OVERLAY_MTU_TOO_LARGE');
    expect(JSON.parse(tooLarge.reply.error.detailsJson)).toEqual({
      mtu: 1500,
      hosts: [{ hostId: 'host-a', device: 'eth0', underlayMtu: 1500, overhead: 50, maxMtu: 1450 }],
    });
    const created = await overlay();
    const data = JSON.parse(created.result.events[0]!.dataJson);
    expect(data).toMatchObject({ networkId: 'ov-1', kind: 'overlay', vni: 1, mtu: 1450 });
  });

  it('refuses a stale expected_version with FAILED_PRECONDITION', async () => {
    const current = await logVersion();
    const error = await api.refused(
      command('RenameVm', { vmId: 'vm-1', name: 'x' }, { expectedVersion: current - 1 }),
    );
    const refusal = api.refusal(error);
    expect(refusal).toMatchObject({
      grpcCode: grpc.status.FAILED_PRECONDITION,
      code: 'VERSION_MISMATCH',
      status: '412',
    });
    expect(JSON.parse(refusal.reply.error.detailsJson)).toEqual({ currentVersion: current });
    const ok = await command(
      'RenameVm',
      { vmId: 'vm-1', name: 'web-1' },
      { expectedVersion: current },
    );
    expect(ok.result.version).toBe(current + 1);
  });

  it('applies a retried command id once', async () => {
    const before = await logVersion();
    const request = { commandId: `retry-${randomUUID()}` };
    const first = await command('CreateVm', { vmId: 'vm-3', name: 'cache' }, request);
    const second = await command('CreateVm', { vmId: 'vm-3', name: 'cache' }, request);
    expect(first.result.duplicate).toBe(false);
    expect(second.result).toMatchObject({
      duplicate: true,
      commandId: request.commandId,
      version: first.result.version,
      firstVersion: first.result.firstVersion,
    });
    const events = (r: CommandReply) =>
      r.result.events.map((e) => ({ ...e, dataJson: JSON.parse(e.dataJson) }));
    expect(events(second)).toEqual(events(first));
    expect(await logVersion()).toBe(before + 1);
  });

  it('waits for the hosts, or fails with DEADLINE_EXCEEDED naming those behind', async () => {
    const current = await logVersion();
    server.convergence.record({ pool: POOL, host: 'host-a', appliedVersion: current + 1 });
    const waited = await command('RenameVm', { vmId: 'vm-1', name: 'web-2' }, { waitHosts: true });
    expect(waited.result).toMatchObject({ waitedForHosts: true, hosts: { 'host-a': current + 1 } });

    const error = await api.refused(
      command('RenameVm', { vmId: 'vm-1', name: 'web-3' }, { waitHosts: true, waitTimeoutMs: 100 }),
    );
    const refusal = api.refusal(error);
    expect(refusal).toMatchObject({
      grpcCode: grpc.status.DEADLINE_EXCEEDED,
      code: 'CONVERGENCE_TIMEOUT',
    });
    expect(JSON.parse(refusal.reply.error.detailsJson).behind).toEqual([
      { host: 'host-a', appliedVersion: current + 1 },
    ]);
    expect(await logVersion()).toBe(current + 2); // committed all the same
  });

  it('follows the log from version 0, then live', async () => {
    const upTo = await logVersion();
    const call = api.client.FollowEvents({ pool: POOL, afterVersion: 0 });
    const received: EventMessage[] = [];
    const ended = new Promise<grpc.ServiceError>((resolve) => call.on('error', resolve));
    let arrived: () => void = () => undefined;
    call.on('data', (event: EventMessage) => {
      received.push(event);
      arrived();
    });
    const until = (n: number) =>
      new Promise<void>((resolve) => {
        arrived = () => received.length >= n && resolve();
        arrived();
      });

    await until(upTo);
    const live = await command('RenameVm', { vmId: 'vm-1', name: 'web-live' });
    await until(upTo + 1);
    call.cancel();
    expect((await ended).code).toBe(grpc.status.CANCELLED);

    expect(received.map((e) => e.version)).toEqual(
      Array.from({ length: upTo + 1 }, (_, i) => i + 1),
    );
    const stored = await server.store.readStream(`pool:${POOL}`, 1, upTo + 1);
    expect(received.map((e) => e.id)).toEqual(stored.map((e) => e.eventId));
    expect(received[0]).toMatchObject({ pool: POOL, type: 'PoolCreated', schemaVersion: 1 });
    expect(JSON.parse(received[0]!.dataJson)).toMatchObject({ poolId: POOL, name: 'lab' });
    expect(JSON.parse(received[upTo]!.metadataJson)).toMatchObject({
      commandId: live.result.commandId,
    });
    expect(received[upTo]!.type).toBe(live.result.events[0]!.type);
  });

  it('resumes after a given version', async () => {
    const upTo = await logVersion();
    const call = api.client.FollowEvents({ pool: POOL, afterVersion: upTo - 2 });
    const versions = await new Promise<number[]>((resolve) => {
      const seen: number[] = [];
      call.on('data', (event: EventMessage) => seen.push(event.version) === 2 && resolve(seen));
    });
    call.cancel();
    call.on('error', () => undefined);
    expect(versions).toEqual([upTo - 1, upTo]);
  });

  it('answers FollowEvents for an unknown pool with NOT_FOUND', async () => {
    const call = api.client.FollowEvents({ pool: 'no-such-pool', afterVersion: 0 });
    call.on('data', () => expect.fail('no event expected'));
    const error = await new Promise<grpc.ServiceError>((resolve) => call.on('error', resolve));
    expect(error.code).toBe(grpc.status.NOT_FOUND);
    expect(error.metadata.get('poolnet-code')).toEqual(['POOL_NOT_FOUND']);
  });
});
