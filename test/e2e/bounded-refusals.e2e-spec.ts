/**
 * A refusal reaches its caller however much is wrong: its details list the first problems and
 * a count, so it fits gRPC trailers (grpc-js refuses metadata over 8 KiB) and a NATS message
 * (max_payload). On the built master: a gRPC command with 1,200 unknown fields is refused with
 * its typed error and the connection keeps serving; NATS requests with 25,000 unknown fields,
 * in the data or beside it, are answered with a bounded typed error. (The gRPC refusal used to
 * never arrive and the NATS one to be dropped as over max_payload: a timeout to the caller.)
 * A request that is itself over max_payload never reaches the server: the NATS client refuses
 * to publish it, at once, rather than timing out.
 */
import { randomUUID } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CommandReply } from '@pool/contracts';
import { createTestDatabase } from '../support/databases.js';
import { restCommand } from './support/master-rest.js';
import {
  type ErrorReply,
  type ExecuteClient,
  poolMasterGrpcClient,
} from './support/pool-master-grpc-client.js';
import { createTestNats } from '../support/nats.js';
import { startPoolMasterProcess } from '../support/pool-master-process.js';
import { freePort, killStarted } from '../support/processes.js';

const pool = `bound-${randomUUID().slice(0, 8)}`;

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let nats: Awaited<ReturnType<typeof createTestNats>>;
let client: ExecuteClient;
let errorReply: (error: grpc.ServiceError) => ErrorReply;

beforeAll(async () => {
  db = await createTestDatabase();
  nats = await createTestNats();
  const address = `127.0.0.1:${await freePort()}`;
  const { base } = await startPoolMasterProcess(db.url, nats, { GRPC_URL: address });
  ({ client, errorReply } = poolMasterGrpcClient(address));
  await restCommand(base, 'POST', '/pools', { poolId: pool, name: 'Bounded refusals' });
});

afterAll(async () => {
  client?.close();
  killStarted();
  await nats?.close();
  await db?.drop();
});

/** `{ vmId, name }` and `count` unknown fields with long names. */
const withUnknown = (count: number): Record<string, unknown> => {
  const data: Record<string, unknown> = { vmId: 'vm1', name: 'web' };
  for (let i = 0; i < count; i++) data[`unknown_field_${i}`] = i;
  return data;
};

const execute = (data: Record<string, unknown>, deadlineMs = 10_000) =>
  new Promise<{ error: grpc.ServiceError | null }>((resolve) =>
    client.Execute(
      { pool, type: 'CreateVm', dataJson: JSON.stringify(data) },
      { deadline: Date.now() + deadlineMs },
      (error) => resolve({ error }),
    ),
  );

const details = (json: string) =>
  JSON.parse(json) as { problems?: unknown[]; problemsTotal?: number; fields?: unknown[] };

describe('gRPC', () => {
  it('delivers a refusal of 1,200 problems, bounded, and keeps serving the connection', async () => {
    const { error } = await execute(withUnknown(1_200));
    expect(error?.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(error?.metadata.get('poolnet-code')).toEqual(['VALIDATION_FAILED']);
    const reply = errorReply(error!);
    const got = details(reply.error.detailsJson);
    expect(got.problemsTotal).toBe(1_200);
    expect(got.problems!.length).toBeGreaterThan(0);
    expect(got.problems!.length).toBeLessThanOrEqual(20);
    expect(reply.error.message).toMatch(/and 1195 more/);
    // The same connection still answers: a good command goes through.
    const ok = await new Promise<grpc.ServiceError | null>((resolve) =>
      client.Execute(
        { pool, type: 'CreateVm', dataJson: JSON.stringify({ vmId: 'vm-ok', name: 'ok' }) },
        { deadline: Date.now() + 10_000 },
        (e) => resolve(e),
      ),
    );
    expect(ok).toBeNull();
  });

  it('delivers refusals whose field names are each kilobytes long', async () => {
    const data: Record<string, unknown> = { vmId: 'vm2', name: 'web' };
    for (let i = 0; i < 50; i++) data[`${'k'.repeat(4_000)}${i}`] = i;
    const { error } = await execute(data);
    expect(error?.metadata.get('poolnet-code')).toEqual(['VALIDATION_FAILED']);
  });
});

describe('NATS', () => {
  const request = async (body: string): Promise<CommandReply> =>
    (
      await nats.nc.request(nats.commandSubject(pool, 'CreateVm'), body, { timeout: 10_000 })
    ).json<CommandReply>();

  it('answers 25,000 unknown data fields under max_payload with a bounded typed error', async () => {
    const body = JSON.stringify({ data: withUnknown(25_000) });
    expect(body.length).toBeGreaterThan(350_000);
    expect(body.length).toBeLessThan(nats.nc.info!.max_payload);
    const reply = await request(body);
    expect(reply).toMatchObject({ ok: false, error: { status: 400, code: 'VALIDATION_FAILED' } });
    const error = (reply as Extract<CommandReply, { ok: false }>).error;
    expect(error.details).toMatchObject({ problemsTotal: 25_000 });
    expect(JSON.stringify(reply).length).toBeLessThan(16 * 1024);
  });

  it('answers 25,000 unknown envelope fields with a bounded UNKNOWN_FIELDS', async () => {
    const envelope: Record<string, unknown> = { data: { vmId: 'vm3', name: 'web' } };
    for (let i = 0; i < 25_000; i++) envelope[`unknown_field_${i}`] = i;
    const reply = await request(JSON.stringify(envelope));
    expect(reply).toMatchObject({ ok: false, error: { status: 400, code: 'UNKNOWN_FIELDS' } });
    expect(JSON.stringify(reply).length).toBeLessThan(16 * 1024);
    expect(JSON.stringify(reply)).toMatch(/and 24995 more/);
  });

  it('cannot send a request over max_payload: the client refuses it at once', async () => {
    const huge = JSON.stringify({
      data: { vmId: 'vm4', name: 'x'.repeat(nats.nc.info!.max_payload) },
    });
    const started = Date.now();
    await expect(
      nats.nc.request(nats.commandSubject(pool, 'CreateVm'), huge, { timeout: 10_000 }),
    ).rejects.toThrow(/payload/i);
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});
