import { randomUUID } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  deserializePoolState,
  POOL_STATE_VERSION,
  poolDecider,
  poolStreamId,
  serializePoolState,
  type PoolCommand,
  type PoolEvent,
} from '@pool/domain';
import { readLogId } from '@pool/event-store';
import { createTestEventStore } from '../../../../test/support/event-store.js';
import { PoolStateCache } from './pool-state-cache.js';
import { SNAPSHOT_HEADERS, type WireMessage } from '@pool/contracts';

let env: Awaited<ReturnType<typeof createTestEventStore>>;
beforeAll(async () => {
  env = await createTestEventStore();
});
afterAll(() => env.close());

const now = new Date().toISOString();
const cmd = (type: string, data: unknown) =>
  ({ type, data, metadata: { now, actor: 'test' } }) as PoolCommand;

/** Decides `commands` on `state` and appends what they decide to the pool's stream. */
async function write(
  pool: string,
  state: ReturnType<typeof poolDecider.initialState>,
  commands: PoolCommand[],
) {
  const events: PoolEvent[] = [];
  for (const c of commands) {
    for (const e of poolDecider.decide(c, state)) {
      poolDecider.evolve(state, e);
      events.push(e);
    }
  }
  await env.store.append(poolStreamId(pool), events);
}

const decode = (messages: WireMessage[]) => {
  const body = Buffer.concat(messages.map((m) => m.payload));
  return JSON.parse(gunzipSync(body).toString('utf8')) as {
    pool: string;
    version: number;
    stateVersion: string;
    state: unknown;
    logId?: string;
  };
};

describe('PoolStateCache', () => {
  it('answers with the state at the latest committed version, in chunks that fit', async () => {
    const pool = `snap-${randomUUID().slice(0, 8)}`;
    const state = poolDecider.initialState();
    const vms = Array.from({ length: 200 }, (_, i) =>
      cmd('CreateVm', { vmId: `vm${i}`, name: `vm ${i}` }),
    );
    await write(pool, state, [cmd('CreatePool', { poolId: pool, name: pool }), ...vms]);

    const cache = new PoolStateCache(env.store);
    const first = await cache.encoded(pool, 4096 + 1024);
    expect(first.version).toBe(201);
    expect(first.messages.length).toBeGreaterThan(1);
    first.messages.forEach((m, i) => {
      expect(m.payload.length).toBeLessThanOrEqual(1024);
      expect(m.headers.get(SNAPSHOT_HEADERS.chunk)).toBe(`${i + 1}/${first.messages.length}`);
    });
    const reply = decode(first.messages);
    expect(reply).toMatchObject({ pool, version: 201, stateVersion: POOL_STATE_VERSION });
    // The log it was read from: a host on another log resynchronises whatever the versions.
    expect(reply.logId).toBe(await readLogId(env.pool));
    expect(serializePoolState(deserializePoolState(reply.state))).toEqual(
      serializePoolState(state),
    );

    // Same version: the same encoding, not a new one. New events: folded in, not reloaded.
    expect(await cache.encoded(pool, 4096 + 1024)).toBe(first);
    await write(pool, state, [cmd('RenamePool', { name: 'renamed' })]);
    const second = await cache.encoded(pool, 1024 * 1024);
    expect(second.version).toBe(202);
    expect(second.messages).toHaveLength(1);
    expect(decode(second.messages).state).toEqual(serializePoolState(state));
  });

  it('answers version 0 and an empty state for a pool that does not exist', async () => {
    const { version, messages } = await new PoolStateCache(env.store).encoded('nothing', 1 << 20);
    expect(version).toBe(0);
    expect(decode(messages)).toMatchObject({ version: 0, state: { status: 'Empty' } });
  });
});
