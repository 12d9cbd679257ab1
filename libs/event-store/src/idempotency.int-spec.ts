import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  IdempotencyKeyReusedError,
  PostgresEventStore,
  type AppendRequest,
} from '@pool/event-store';
import { createTestEventStore } from '../../../test/support/event-store.js';

let env: Awaited<ReturnType<typeof createTestEventStore>>;
beforeAll(async () => {
  env = await createTestEventStore();
});
afterAll(() => env.close());

const stream = () => `pool:${randomUUID()}`;
const request = (streamId: string, commandId: string, fingerprint?: string): AppendRequest => ({
  streamId,
  events: [{ type: 'Thing', data: { fingerprint: fingerprint ?? null } }],
  commands: [{ commandId, eventCount: 1, fingerprint }],
});
const rowCount = async () =>
  Number((await env.pool.query<{ n: string }>('SELECT count(*) AS n FROM es_events')).rows[0]!.n);

describe('idempotency records bound to a fingerprint', () => {
  it('answers the same fingerprint as a duplicate and refuses another one, writing nothing', async () => {
    const s = stream();
    const id = randomUUID();
    const first = await env.store.appendRequest(request(s, id, 'A'));
    expect(first).toMatchObject({ duplicate: false, firstVersion: 1 });
    expect(await env.store.appendRequest(request(s, id, 'A'))).toMatchObject({
      duplicate: true,
      commands: [{ commandId: id, streamId: s, firstVersion: 1, lastVersion: 1 }],
    });
    const before = await rowCount();
    const error = await env.store.appendRequest(request(s, id, 'B')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IdempotencyKeyReusedError);
    expect(error).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED', commandIds: [id] });
    expect(await rowCount()).toBe(before);
    expect(await env.store.findCommands([id])).toEqual([
      { commandId: id, streamId: s, firstVersion: 1, lastVersion: 1, fingerprint: 'A' },
    ]);
  });

  it('refuses a stored id on another stream, with or without fingerprints', async () => {
    const id = randomUUID();
    await env.store.appendRequest(request(stream(), id));
    const error = await env.store.appendRequest(request(stream(), id)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IdempotencyKeyReusedError);
  });

  it('refuses one of two racing first uses with other fingerprints: one written, one refused', async () => {
    // Two stores over one pool: two transactions at once, not one group commit.
    const stores = [env.store, new PostgresEventStore(env.pool, { notifyChannel: false })];
    for (let round = 0; round < 10; round++) {
      const id = randomUUID();
      const streams = [stream(), stream()];
      const before = await rowCount();
      const settled = await Promise.allSettled(
        stores.map((store, i) => store.appendRequest(request(streams[i]!, id, `F${i}`))),
      );
      expect(settled.filter((s) => s.status === 'fulfilled')).toHaveLength(1);
      expect(settled.find((s) => s.status === 'rejected')).toMatchObject({
        reason: expect.any(IdempotencyKeyReusedError) as unknown,
      });
      expect(await rowCount()).toBe(before + 1);
    }
  });

  it('keeps ids stored without a fingerprint as before: a reuse on their stream is a duplicate', async () => {
    const s = stream();
    const id = randomUUID();
    await env.store.appendRequest(request(s, id));
    expect(await env.store.appendRequest(request(s, id, 'A'))).toMatchObject({ duplicate: true });
  });
});
