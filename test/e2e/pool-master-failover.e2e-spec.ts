/**
 * Two pool-master replicas as real processes. The leader of a pool is SIGKILLed while a client
 * keeps sending commands over NATS (retrying each with its command id until answered): the
 * other replica takes over within seconds, every acknowledged command is in the log exactly
 * once, and retries are never applied twice.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CommandReply } from '@pool/contracts';
import { createTestDatabase } from '../support/databases.js';
import { createTestNats } from '../support/nats.js';
import { startPoolMasterProcess } from '../support/pool-master-process.js';
import { freePort, killStarted, type Running } from '../support/processes.js';

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let nats: Awaited<ReturnType<typeof createTestNats>>;
const replicas: { name: string; base: string; running: Running }[] = [];
const pool = `failover-${randomUUID().slice(0, 8)}`;

beforeAll(async () => {
  db = await createTestDatabase();
  nats = await createTestNats();
  for (const name of ['a', 'b']) {
    const replica = await startPoolMasterProcess(db.url, nats, {
      REPLICA_ID: name,
      GRPC_URL: `127.0.0.1:${await freePort()}`,
    });
    replicas.push({ name, ...replica });
  }
});

afterAll(async () => {
  killStarted();
  await nats.close();
  await db.drop();
});

async function send(type: string, data: unknown, commandId: string): Promise<CommandReply> {
  const msg = await nats.nc.request(
    nats.commandSubject(pool, type),
    JSON.stringify({ data, commandId }),
    { timeout: 3000 },
  );
  return msg.json<CommandReply>();
}

/** Sends until answered (ok or refused), as a careful client does: same id on every retry. */
async function sendUntilAnswered(type: string, data: unknown, commandId: string, giveUpAt: number) {
  for (;;) {
    try {
      const reply = await send(type, data, commandId);
      if (reply.ok || reply.error.status < 500) return reply;
    } catch {
      // no responder or timeout: the leader is changing
    }
    if (Date.now() > giveUpAt) throw new Error(`command ${commandId} never answered`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function leaderOf(): Promise<string | undefined> {
  for (const r of replicas) {
    if (r.running.child.exitCode !== null || r.running.child.signalCode !== null) continue;
    const text = await (await fetch(`${r.base}/metrics`)).text();
    if (/^poolnet_pools_led\{[^}]*\} 1$/m.test(text)) return r.name;
  }
  return undefined;
}

describe('pool-master failover', () => {
  it('a replica takes over when the leader is SIGKILLed; nothing acknowledged is lost or doubled', async () => {
    const created = await sendUntilAnswered(
      'CreatePool',
      { poolId: pool, name: 'Failover' },
      randomUUID(),
      Date.now() + 10_000,
    );
    expect(created.ok).toBe(true);
    const leader = await leaderOf();
    expect(leader).toBeDefined();

    const acknowledged = new Set<string>();
    const sent = new Map<string, { vmId: string; name: string }>();
    const giveUpAt = Date.now() + 60_000;
    let killedAt = 0;
    let firstAfterKill = 0;
    let stop = false;
    const client = async (worker: number) => {
      for (let i = 0; !stop; i++) {
        const commandId = randomUUID();
        const startedAt = Date.now();
        const data = { vmId: `vm-${worker}-${i}`, name: `vm ${worker}/${i}` };
        const reply = await sendUntilAnswered('CreateVm', data, commandId, giveUpAt);
        expect(reply.ok, JSON.stringify(reply)).toBe(true);
        acknowledged.add(commandId);
        sent.set(commandId, data);
        // Takeover: the first command sent after the kill that is acknowledged.
        if (killedAt && startedAt >= killedAt && !firstAfterKill) firstAfterKill = Date.now();
      }
    };
    const clients = Array.from({ length: 8 }, (_, w) => client(w));
    await new Promise((r) => setTimeout(r, 1500));
    const victim = replicas.find((r) => r.name === leader)!;
    victim.running.child.kill('SIGKILL');
    killedAt = Date.now();
    const before = acknowledged.size;
    await new Promise((r) => setTimeout(r, 4000));
    stop = true;
    await Promise.all(clients);

    const takeoverMs = firstAfterKill - killedAt;
    console.log(
      `failover: ${before} commands acknowledged before the kill, ${acknowledged.size} in all; ` +
        `first command after the kill acknowledged in ${takeoverMs} ms`,
    );
    expect(acknowledged.size).toBeGreaterThan(before);
    expect(takeoverMs).toBeLessThan(10_000);
    expect(await leaderOf()).toBe(replicas.find((r) => r.name !== leader)!.name);

    const client2 = new pg.Client({ connectionString: db.url });
    await client2.connect();
    try {
      const { rows } = await client2.query<{ command_id: string; n: string }>(
        `SELECT metadata->>'commandId' AS command_id, count(*) AS n FROM es_events
          WHERE stream_id = $1 AND event_type = 'VmCreated' GROUP BY 1`,
        [`pool:${pool}`],
      );
      const counts = new Map(rows.map((r) => [r.command_id, Number(r.n)]));
      for (const id of acknowledged) expect(counts.get(id), id).toBe(1);
      expect(rows.length).toBe(acknowledged.size); // nothing written that no client was told of
      const versions = await client2.query<{ ok: boolean }>(
        `SELECT bool_and(stream_version = rn) AS ok FROM
           (SELECT stream_version, row_number() OVER (ORDER BY stream_version) AS rn
              FROM es_events WHERE stream_id = $1) v`,
        [`pool:${pool}`],
      );
      expect(versions.rows[0]!.ok).toBe(true);
    } finally {
      await client2.end();
    }

    // A retry of an acknowledged command is answered as a duplicate and writes nothing; its id
    // reused with another command is refused, as the new leader holds the key's fingerprint.
    const [someId] = acknowledged;
    const retry = await send('CreateVm', sent.get(someId!)!, someId!);
    expect(retry).toMatchObject({ ok: true, result: { duplicate: true } });
    const reused = await send('CreateVm', { vmId: 'other', name: 'other' }, someId!);
    expect(reused).toMatchObject({ ok: false, error: { code: 'IDEMPOTENCY_KEY_REUSED' } });
  }, 90_000);
});
