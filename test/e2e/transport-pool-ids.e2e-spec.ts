/**
 * One rule for pool ids on every transport of the built master: 1–63 lowercase letters, digits
 * or '-'. REST and NATS always held it; gRPC took upper case and '_' too, so `Lab` or `lab_1`
 * was a 404 POOL_NOT_FOUND over gRPC (and FollowEvents' too) where REST answered 400. Now each
 * transport hands the pool to the same parseCommand, and all three refuse such an id alike.
 */
import { randomUUID } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CommandReply } from '@pool/contracts';
import { createTestDatabase } from '../support/databases.js';
import { createTestNats } from '../support/nats.js';
import { startPoolMasterProcess } from '../support/pool-master-process.js';
import { freePort, killStarted } from '../support/processes.js';
import {
  type ErrorReply,
  type ExecuteClient,
  poolMasterGrpcClient,
} from './support/pool-master-grpc-client.js';

type Transport = 'rest' | 'nats' | 'grpc';
/** What each transport's answer comes down to. */
type Answer = { ok: true } | { ok: false; status: number; code: string; fields?: unknown };
type Send = (pool: string, type: string, data: Record<string, unknown>) => Promise<Answer>;

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let nats: Awaited<ReturnType<typeof createTestNats>>;
let sql: pg.Client;
let client: ExecuteClient;
let errorReply: (error: grpc.ServiceError) => ErrorReply;
const send = {} as Record<Transport, Send>;

/** REST routes of the commands sent here. */
const ROUTES: Record<string, (pool: string) => [string, string]> = {
  CreatePool: () => ['POST', '/pools'],
  RenamePool: (pool) => ['PATCH', `/pools/${encodeURIComponent(pool)}`],
  CreateVm: (pool) => ['POST', `/pools/${encodeURIComponent(pool)}/vms`],
};

beforeAll(async () => {
  db = await createTestDatabase();
  nats = await createTestNats();
  const address = `127.0.0.1:${await freePort()}`;
  const { base } = await startPoolMasterProcess(db.url, nats, { GRPC_URL: address });
  ({ client, errorReply } = poolMasterGrpcClient(address));
  sql = new pg.Client({ connectionString: db.url });
  await sql.connect();

  send.rest = async (pool, type, data) => {
    const [method, path] = ROUTES[type]!(pool);
    const response = await fetch(`${base}${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(data),
    });
    const body = (await response.json()) as { code: string; details?: { fields?: unknown } };
    if (response.ok) return { ok: true };
    return { ok: false, status: response.status, code: body.code, fields: body.details?.fields };
  };
  send.nats = async (pool, type, data) => {
    const msg = await nats.nc.request(nats.commandSubject(pool, type), JSON.stringify({ data }), {
      timeout: 10_000,
    });
    const reply = msg.json<CommandReply>();
    if (reply.ok) return { ok: true };
    const { status, code, details } = reply.error;
    return { ok: false, status, code, fields: details?.fields };
  };
  send.grpc = (pool, type, data) =>
    new Promise((resolve) =>
      client.Execute(
        { pool, type, dataJson: JSON.stringify(data) },
        { deadline: Date.now() + 10_000 },
        (error) => {
          if (!error) return resolve({ ok: true });
          const { code, detailsJson } = errorReply(error).error;
          const status = Number(error.metadata.get('poolnet-status')[0]);
          const fields = detailsJson
            ? (JSON.parse(detailsJson) as { fields?: unknown }).fields
            : [];
          resolve({ ok: false, status, code, fields });
        },
      ),
    );
});

afterAll(async () => {
  client?.close();
  killStarted();
  await sql?.end();
  await nats?.close();
  await db?.drop();
});

const events = async () =>
  Number((await sql.query<{ n: string }>('SELECT count(*) AS n FROM es_events')).rows[0]!.n);

const TRANSPORTS: Transport[] = ['rest', 'nats', 'grpc'];
/** Ids gRPC took and REST refused: upper case and '_'. */
const FORMERLY_SPLIT = ['Lab', 'LAB', 'lab_1', 'Lab_Pool', 'a_b-C'];

describe('pool ids, on REST, NATS and gRPC alike', () => {
  it.each(FORMERLY_SPLIT)(
    'refuses commands to pool %j with the same 400 everywhere',
    async (id) => {
      const before = await events();
      for (const [type, data] of [
        ['RenamePool', { name: 'x' }],
        ['CreateVm', { vmId: 'vm-1', name: 'web' }],
      ] as const) {
        const answers = await Promise.all(TRANSPORTS.map((t) => send[t](id, type, data)));
        const refusal = { ok: false, status: 400, code: 'VALIDATION_FAILED', fields: ['pool'] };
        expect(answers, `${type} on ${id}`).toEqual([refusal, refusal, refusal]);
      }
      expect(await events()).toBe(before);
    },
  );

  it.each(FORMERLY_SPLIT)('refuses to create pool %j everywhere', async (id) => {
    const before = await events();
    const answers = await Promise.all(
      TRANSPORTS.map((t) => send[t](id, 'CreatePool', { poolId: id, name: 'x' })),
    );
    const refusal = { ok: false, status: 400, code: 'VALIDATION_FAILED', fields: ['poolId'] };
    expect(answers).toEqual([refusal, refusal, refusal]);
    expect(await events()).toBe(before);
  });

  it('creates a pool with a lowercase id on each of them', async () => {
    const suffix = randomUUID().slice(0, 8);
    for (const t of TRANSPORTS) {
      const id = `lab-${t}-${suffix}`;
      expect(await send[t](id, 'CreatePool', { poolId: id, name: id }), t).toEqual({ ok: true });
    }
  });

  it('refuses FollowEvents of such a pool as invalid, not unknown', async () => {
    const stream = client.makeServerStreamRequest(
      '/poolnet.v1.PoolMaster/FollowEvents',
      () => Buffer.from([0x0a, 3, ...Buffer.from('Lab')]),
      (bytes: Buffer) => bytes,
      {},
      new grpc.Metadata(),
      { deadline: Date.now() + 10_000 },
    );
    const error = await new Promise<grpc.ServiceError>((resolve) => {
      stream.on('error', resolve);
      stream.on('data', () => undefined);
    });
    expect(error.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(error.metadata.get('poolnet-code')).toEqual(['VALIDATION_FAILED']);
  });
});
