import { connect, type NatsConnection } from '@nats-io/transport-node';
import { poolStreamId } from '@pool/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestEventStore } from '../../../../test/support/event-store.js';
import { createTestNats } from '../../../../test/support/nats.js';
import { natsUrl } from '../../../../test/support/services.js';
import { ConvergenceTracker } from '../convergence/convergence-tracker.js';
import { CommandService } from './command-service.js';
import { LeaderBalancer } from './leader-balancer.js';
import { poolDomainModel } from './pool-domain-model.js';
import { PoolLeadership } from './pool-leadership.js';

let env: Awaited<ReturnType<typeof createTestEventStore>>;
let nats: Awaited<ReturnType<typeof createTestNats>>;
const connections: NatsConnection[] = [];
const started: { stop(): Promise<void> }[] = [];

beforeAll(async () => {
  env = await createTestEventStore();
  nats = await createTestNats();
});
afterAll(async () => {
  for (const replica of started.reverse()) await replica.stop();
  for (const nc of connections) await nc.close();
  await nats.close();
  await env.close();
});

/** One pool-master replica's write side, in process, on a NATS connection of its own. */
async function startReplica(replicaId: string) {
  const nc = await connect({ servers: natsUrl() });
  connections.push(nc);
  const leadership = new PoolLeadership({
    connectionString: env.url,
    store: env.store,
    nc,
    subjectRoot: nats.root,
    model: poolDomainModel,
    replicaId,
  });
  const commands = new CommandService(leadership, new ConvergenceTracker(), {
    nc,
    subjectRoot: nats.root,
  });
  const balancer = new LeaderBalancer(leadership as never, {
    nc,
    subjectRoot: nats.root,
    replicaId,
    intervalMs: 100,
    heartbeatMs: 100,
    settledMs: 300,
    concurrency: 2,
  });
  balancer.start();
  const replica = {
    leadership,
    commands,
    stop: async () => {
      await balancer.stop();
      await leadership.close();
    },
  };
  started.push(replica);
  return replica;
}

async function until(what: string, check: () => boolean, ms = 20_000): Promise<void> {
  const giveUpAt = Date.now() + ms;
  while (!check()) {
    if (Date.now() > giveUpAt) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('LeaderBalancer', () => {
  it('gives a replica started later its share, under load, losing and doubling nothing', async () => {
    const first = await startReplica('first');
    const pools = Array.from({ length: 8 }, (_, i) => `bal-${nats.root}-${i}`);
    for (const pool of pools) {
      await first.commands.execute(pool, {
        type: 'CreatePool',
        data: { poolId: pool, name: pool },
      });
    }
    expect(first.leadership.ledPools).toHaveLength(8);

    // Commands to every pool through both entries while the leadership moves.
    const entries = [first.commands];
    const acknowledged = new Map<string, { commandId: string; version: number }[]>();
    const failures: unknown[] = [];
    let loading = true;
    const load = Promise.all(
      pools.map(async (pool, p) => {
        for (let i = 0; loading; i++) {
          const entry = entries[(p + i) % entries.length]!;
          try {
            const outcome = await entry.execute(pool, {
              type: 'RenamePool',
              data: { name: `${pool} ${i}` },
            });
            const list = acknowledged.get(pool) ?? [];
            list.push({ commandId: outcome.commandId, version: outcome.version });
            acknowledged.set(pool, list);
          } catch (error) {
            failures.push(error);
          }
        }
      }),
    );

    await new Promise((resolve) => setTimeout(resolve, 300));
    const second = await startReplica('second');
    entries.push(second.commands);
    await until(
      'the pools to be shared 4 and 4',
      () => first.leadership.ledPools.length === 4 && second.leadership.ledPools.length === 4,
    );
    // Keep going a while on the new leaders, then stop.
    await new Promise((resolve) => setTimeout(resolve, 500));
    loading = false;
    await load;

    expect(failures).toEqual([]);
    const both = [...first.leadership.ledPools, ...second.leadership.ledPools];
    expect(new Set(both).size).toBe(8);
    for (const pool of pools) {
      const events = await env.store.readStream(poolStreamId(pool));
      // One writer at a time: versions 1..n with no gap, every acknowledged command once.
      expect(events.map((e) => e.streamVersion)).toEqual(events.map((_, i) => i + 1));
      const written = new Map(events.map((e) => [e.metadata.commandId as string, e.streamVersion]));
      expect(written.size).toBe(events.length);
      const acks = acknowledged.get(pool) ?? [];
      expect(acks.length).toBeGreaterThan(0);
      for (const ack of acks) expect(written.get(ack.commandId)).toBe(ack.version);
    }
  });
});
