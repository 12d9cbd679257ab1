/**
 * The actor the log records is the authenticated identity, never a field the caller writes, on
 * the built master with bearer tokens: over gRPC the token's name is recorded and a request
 * naming an `actor` is refused (ACTOR_NOT_ACCEPTED, nothing written); over NATS the user the
 * subject names (which the NATS server vouches for, nats-permissions.e2e-spec) is recorded and an
 * `actor` field is refused as UNKNOWN_FIELDS. (A token named bob sending `actor: "alice"` used
 * to be recorded as alice, and NATS took any `actor`.)
 */
import { randomBytes, randomUUID } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CommandReply } from '@pool/contracts';
import { createTestDatabase } from '../support/databases.js';
import { createTestNats } from '../support/nats.js';
import { startPoolMasterProcess } from '../support/pool-master-process.js';
import { freePort, killStarted } from '../support/processes.js';
import { type ExecuteClient, poolMasterGrpcClient } from './support/pool-master-grpc-client.js';

const pool = `actor-${randomUUID().slice(0, 8)}`;
const ADMIN = `t${randomBytes(16).toString('hex')}`;
const BOB = `t${randomBytes(16).toString('hex')}`;

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let nats: Awaited<ReturnType<typeof createTestNats>>;
let sql: pg.Client;
let client: ExecuteClient;

beforeAll(async () => {
  db = await createTestDatabase();
  nats = await createTestNats();
  const address = `127.0.0.1:${await freePort()}`;
  const { base } = await startPoolMasterProcess(db.url, nats, {
    GRPC_URL: address,
    AUTH_TOKENS: `admin:${ADMIN}:ops,operator:${BOB}:bob`,
  });
  ({ client } = poolMasterGrpcClient(address));
  sql = new pg.Client({ connectionString: db.url });
  await sql.connect();
  await fetch(`${base}/pools`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN}` },
    body: JSON.stringify({ poolId: pool, name: 'Actors' }),
  }).then((response) => expect(response.status).toBe(201));
});

afterAll(async () => {
  client?.close();
  killStarted();
  await sql?.end();
  await nats?.close();
  await db?.drop();
});

const actorsOf = async (vmId: string) =>
  (
    await sql.query<{ actor: string }>(
      "SELECT metadata->>'actor' AS actor FROM es_events WHERE data->>'vmId' = $1",
      [vmId],
    )
  ).rows.map((row) => row.actor);

const execute = (data: object, actor = '') =>
  new Promise<grpc.ServiceError | null>((resolve) => {
    const metadata = new grpc.Metadata();
    metadata.set('authorization', `Bearer ${BOB}`);
    client.Execute(
      { pool, type: 'CreateVm', dataJson: JSON.stringify(data), actor },
      metadata,
      (error) => resolve(error),
    );
  });

describe('gRPC', () => {
  it("records the token's name", async () => {
    expect(await execute({ vmId: 'vm-bob', name: 'bob' })).toBeNull();
    expect(await actorsOf('vm-bob')).toEqual(['bob']);
  });

  it('refuses an actor the caller names, and writes nothing', async () => {
    const error = await execute({ vmId: 'vm-alice', name: 'alice' }, 'alice');
    expect(error?.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(error?.metadata.get('poolnet-code')).toEqual(['ACTOR_NOT_ACCEPTED']);
    expect(await actorsOf('vm-alice')).toEqual([]);
  });
});

describe('NATS', () => {
  it("records the subject's user", async () => {
    const reply = (
      await nats.nc.request(
        nats.commandSubject(pool, 'CreateVm', { role: 'operator', user: 'bob' }),
        JSON.stringify({ data: { vmId: 'vm-nats-bob', name: 'bob' } }),
        { timeout: 10_000 },
      )
    ).json<CommandReply>();
    expect(reply).toMatchObject({ ok: true });
    expect(await actorsOf('vm-nats-bob')).toEqual(['nats:bob']);
  });

  it('refuses an actor field as UNKNOWN_FIELDS, and writes nothing', async () => {
    const reply = (
      await nats.nc.request(
        nats.commandSubject(pool, 'CreateVm'),
        JSON.stringify({ data: { vmId: 'vm-n', name: 'n' }, actor: 'alice' }),
        { timeout: 10_000 },
      )
    ).json<CommandReply>();
    expect(reply).toMatchObject({ ok: false, error: { status: 400, code: 'UNKNOWN_FIELDS' } });
    expect(await actorsOf('vm-n')).toEqual([]);
  });
});
