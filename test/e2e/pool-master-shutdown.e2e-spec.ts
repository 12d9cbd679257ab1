/**
 * A pool master stopped with SIGTERM while clients send commands: it exits 0, its relay stops
 * before the store's pool closes (no batch failing on an ended pool) and leaves its checkpoint
 * no further than what JetStream holds, and the next start relays the rest: every event of the
 * log is in the stream exactly once.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CommandReply, type EventEnvelope } from '@pool/contracts';
import { createTestDatabase } from '../support/databases.js';
import { createTestNats } from '../support/nats.js';
import { startPoolMasterProcess } from '../support/pool-master-process.js';
import { exitCodeWithin, killStarted } from '../support/processes.js';

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let nats: Awaited<ReturnType<typeof createTestNats>>;
const pool = `shutdown-${randomUUID().slice(0, 8)}`;

beforeAll(async () => {
  db = await createTestDatabase();
  nats = await createTestNats();
});

afterAll(async () => {
  killStarted();
  await nats.close();
  await db.drop();
});

const send = async (type: string, data: unknown): Promise<CommandReply> =>
  (
    await nats.nc.request(nats.commandSubject(pool, type), JSON.stringify({ data }), {
      timeout: 3000,
    })
  ).json<CommandReply>();

async function query<Row extends object>(sql: string, params: unknown[] = []): Promise<Row[]> {
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  try {
    return (await client.query<Row>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

describe('pool-master shutdown', () => {
  it('stops the relay cleanly at SIGTERM under load; a restart relays the rest, none twice', async () => {
    const first = await startPoolMasterProcess(db.url, nats);
    expect((await send('CreatePool', { poolId: pool, name: 'Shutdown' })).ok).toBe(true);

    let stop = false;
    let acknowledged = 0;
    const client = async (worker: number) => {
      for (let i = 0; !stop; i++) {
        const reply = await send('CreateVm', { vmId: `vm-${worker}-${i}`, name: 'vm' }).catch(
          () => undefined, // the master is going away
        );
        if (!reply?.ok) return;
        acknowledged++;
      }
    };
    const clients = Array.from({ length: 16 }, (_, w) => client(w));
    await new Promise((r) => setTimeout(r, 1000));
    first.running.child.kill('SIGTERM');
    const code = await exitCodeWithin(first.running, 15_000);
    stop = true;
    await Promise.all(clients);
    expect(code, first.running.output()).toBe(0);
    expect(first.running.output()).not.toContain('relay batch failed');
    expect(acknowledged).toBeGreaterThan(100);

    // The checkpoint never claims more than the stream holds.
    const [checkpoint] = await query<{ published: string }>(
      `SELECT count(*) AS published FROM es_events e, es_checkpoints c
        WHERE c.consumer = 'relay'
          AND (e.log_epoch, e.transaction_id, e.global_position)
              <= (c.log_epoch, c.transaction_id, c.global_position)`,
    );
    const streamed = (await nats.jsm.streams.info(nats.eventsStream)).state.messages;
    expect(Number(checkpoint!.published)).toBeGreaterThan(0);
    expect(Number(checkpoint!.published)).toBeLessThanOrEqual(streamed);

    const second = await startPoolMasterProcess(db.url, nats);
    const [{ logged }] = (await query<{ logged: string }>(
      'SELECT count(*) AS logged FROM es_events',
    )) as [{ logged: string }];
    const deadline = Date.now() + 20_000;
    while ((await nats.jsm.streams.info(nats.eventsStream)).state.messages < Number(logged)) {
      if (Date.now() > deadline) throw new Error('the restarted relay did not catch up');
      await new Promise((r) => setTimeout(r, 100));
    }
    const ids = (await nats.readStream(nats.eventsStream)).map((m) => m.json<EventEnvelope>().id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBe(Number(logged));
    second.running.child.kill('SIGTERM');
    expect(await exitCodeWithin(second.running, 15_000)).toBe(0);
  });
});
