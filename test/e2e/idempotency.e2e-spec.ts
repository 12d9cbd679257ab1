/**
 * An idempotency key is bound to the command it was first used with (pool, type, canonical
 * data) on every transport of one built pool master: REST's `Idempotency-Key`, NATS's
 * `commandId` and gRPC's `command_id`. The same command again is answered from the log
 * (`duplicate: true`); another command under a used key — another type, other data, or the key
 * first used on another transport — is refused with 409 `IDEMPOTENCY_KEY_REUSED` (a typed
 * error over NATS and gRPC) and writes nothing, also when it races the key's first use.
 * (It used to be answered 201 `duplicate: true` with the first command's events.)
 */
import { randomUUID } from 'node:crypto';
import { connectPoolMaster } from './support/pool-master-grpc-client.js';
import type * as grpc from '@grpc/grpc-js';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CommandReply } from '@pool/contracts';
import { createTestDatabase } from '../support/databases.js';
import { createTestNats } from '../support/nats.js';
import { startPoolMasterProcess } from '../support/pool-master-process.js';
import { freePort, killStarted } from '../support/processes.js';

const pool = `idem-${randomUUID().slice(0, 8)}`;

/** What every transport's answer comes down to: a result, or a refusal's status and code. */
type Answer =
  | { ok: true; duplicate: boolean; commandId: string; events: { type: string }[] }
  | { ok: false; status: number; code: string };

type Accepted = Omit<Extract<Answer, { ok: true }>, 'ok'>;
type Send = (type: string, data: Record<string, unknown>, key: string) => Promise<Answer>;

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let nats: Awaited<ReturnType<typeof createTestNats>>;
let sql: pg.Client;
let grpcClient: grpc.Client & {
  Execute(request: object, callback: (error: grpc.ServiceError | null, reply: never) => void): void;
};
const transports: Record<'rest' | 'nats' | 'grpc', Send> = {} as never;

/** REST routes for the commands this suite sends. */
const ROUTES: Record<string, (data: Record<string, unknown>) => [string, string, object]> = {
  CreateVm: (data) => ['POST', `/pools/${pool}/vms`, data],
  CreateNetwork: (data) => ['POST', `/pools/${pool}/networks`, data],
  RenameVm: ({ vmId, ...body }) => ['PATCH', `/pools/${pool}/vms/${String(vmId)}`, body],
};

beforeAll(async () => {
  db = await createTestDatabase();
  nats = await createTestNats();
  const grpcAddress = `127.0.0.1:${await freePort()}`;
  const { base } = await startPoolMasterProcess(db.url, nats, { GRPC_URL: grpcAddress });
  sql = new pg.Client({ connectionString: db.url });
  await sql.connect();

  transports.rest = async (type, data, key) => {
    const [method, path, body] = ROUTES[type]!(data);
    const response = await fetch(`${base}${path}`, {
      method,
      headers: { 'content-type': 'application/json', 'idempotency-key': key },
      body: JSON.stringify(body),
    });
    const json = (await response.json()) as Accepted & { code: string };
    return response.ok
      ? { ok: true, ...json }
      : { ok: false, status: response.status, code: json.code };
  };
  transports.nats = async (type, data, key) => {
    const msg = await nats.nc.request(
      nats.commandSubject(pool, type),
      JSON.stringify({ data, commandId: key }),
      { timeout: 10_000 },
    );
    const reply = msg.json<CommandReply>();
    return reply.ok
      ? { ok: true, ...reply.result }
      : { ok: false, status: reply.error.status, code: reply.error.code };
  };

  grpcClient = connectPoolMaster<typeof grpcClient>(grpcAddress).client;
  transports.grpc = (type, data, key) =>
    new Promise((resolve) =>
      grpcClient.Execute(
        { pool, type, dataJson: JSON.stringify(data), commandId: key },
        (error, reply: { result: Accepted }) =>
          resolve(
            error
              ? {
                  ok: false,
                  status: Number(error.metadata.get('poolnet-status')[0]),
                  code: String(error.metadata.get('poolnet-code')[0]),
                }
              : { ok: true, ...reply.result },
          ),
      ),
    );

  const created = await fetch(`${base}/pools`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ poolId: pool, name: 'Idempotency' }),
  });
  expect(created.status).toBe(201);
});

afterAll(async () => {
  grpcClient?.close();
  killStarted();
  await sql?.end();
  await nats?.close();
  await db?.drop();
});

const logLength = async () =>
  Number(
    (
      await sql.query<{ n: string }>('SELECT count(*) AS n FROM es_events WHERE stream_id = $1', [
        `pool:${pool}`,
      ])
    ).rows[0]!.n,
  );

const REUSED = { ok: false, status: 409, code: 'IDEMPOTENCY_KEY_REUSED' };

describe.each(['rest', 'nats', 'grpc'] as const)('idempotency keys over %s', (name) => {
  const send = (...args: Parameters<Send>) => transports[name](...args);
  const vm = (id: string, vmName = id) => ({ vmId: `${name}-${id}`, name: vmName });
  const network = (id: string) => ({
    networkId: `${name}-${id}`,
    name: `${name}-${id}`,
    kind: 'private',
    purpose: 'vm',
  });

  it('answers the same command again from the log, and refuses another command under the key', async () => {
    const key = `${name}-${randomUUID()}`;
    const first = await send('CreateVm', vm('a'), key);
    expect(first).toMatchObject({ ok: true, duplicate: false, commandId: key });
    const length = await logLength();

    expect(await send('CreateVm', vm('a'), key)).toMatchObject({ ok: true, duplicate: true });
    // Another type, other data of the same type, and the key first used on another transport.
    expect(await send('CreateNetwork', network('n'), key)).toEqual(REUSED);
    expect(await send('CreateVm', vm('a', 'renamed'), key)).toEqual(REUSED);
    expect(await send('CreateVm', vm('b'), key)).toEqual(REUSED);
    for (const other of ['rest', 'nats', 'grpc'] as const) {
      expect(await transports[other]('RenameVm', { vmId: `${name}-a`, name: 'x' }, key)).toEqual(
        REUSED,
      );
    }
    expect(await logLength()).toBe(length);
    const written = await sql.query(
      `SELECT 1 FROM es_events WHERE stream_id = $1
          AND (data->>'networkId' = $2 OR event_type = 'VmRenamed' OR data->>'vmId' = $3)`,
      [`pool:${pool}`, `${name}-n`, `${name}-b`],
    );
    expect(written.rows).toEqual([]);
  });

  it('refuses a reuse racing the first use: one is written, the other refused', async () => {
    for (let round = 0; round < 5; round++) {
      const key = `${name}-race-${randomUUID()}`;
      const length = await logLength();
      const answers = await Promise.all([
        send('CreateVm', vm(`race-${round}`), key),
        send('CreateNetwork', network(`race-${round}`), key),
      ]);
      expect(answers.filter((a) => a.ok)).toHaveLength(1);
      expect(answers.filter((a) => !a.ok)).toEqual([REUSED]);
      expect(await logLength()).toBe(length + 1);
    }
  });
});

describe('a generated id is not part of what the key is bound to', () => {
  it('retries POST /vms without a vmId under one key as the same command', async () => {
    const key = `gen-${randomUUID()}`;
    const first = await transports.rest('CreateVm', { name: 'generated' }, key);
    const length = await logLength();
    expect(first).toMatchObject({ ok: true, duplicate: false });
    expect(await transports.rest('CreateVm', { name: 'generated' }, key)).toMatchObject({
      ok: true,
      duplicate: true,
      events: (first as { events: unknown }).events,
    });
    expect(await transports.rest('CreateVm', { name: 'other' }, key)).toEqual(REUSED);
    expect(await logLength()).toBe(length);
  });
});
