/**
 * A 3-node JetStream cluster with the events and reports streams replicated on every node
 * (R3), under a steady load of commands: the events stream's leader killed, a follower killed
 * and restarted, the leader's node partitioned from the other two and healed. A majority keeps
 * the streams writable; afterwards everything the clients were told is in the log once, the
 * events stream holds every version once, every host converges, and every replica is current.
 */
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectConsistent } from './support/expect-consistent.js';
import { EVENTS_STREAM, FaultStack, REPORTS_STREAM } from './support/fault-stack.js';
import { sleep } from './support/local-process.js';
import { type NatsCluster } from './support/nats-cluster.js';
import { describeResult, Scenario } from './support/scenario.js';

const OUTAGE_MS = 4000;
/** Longer than the majority takes to elect new stream and meta leaders (5–11 s here). */
const PARTITION_MS = 12_000;

let stack: FaultStack;
let cluster: NatsCluster;

beforeAll(async () => {
  stack = await FaultStack.start({ natsCluster: 3 });
  cluster = stack.cluster!;
});

afterAll(async () => {
  await stack?.close();
});

/**
 * Until the events stream has a leader other than `old`, in ms since `from`, asked of the
 * other nodes only (the harness's own connection may sit on the node that is gone or cut off).
 */
async function newLeader(old: string, from: number): Promise<{ leader: string; ms: number }> {
  const others = cluster.nodes.filter((n) => n.name !== old).map((n) => n.url);
  const nc = await connect({ servers: others, name: 'fault-harness-majority' });
  try {
    for (;;) {
      const leader = await cluster.leaderOf(nc, EVENTS_STREAM, 2000).catch(() => old);
      if (leader !== old) return { leader, ms: Date.now() - from };
      if (Date.now() - from > 60_000) throw new Error(`no leader other than ${old} in 60 s`);
      await sleep(100);
    }
  } finally {
    await nc.close();
  }
}

async function replicasCurrent(): Promise<number> {
  const from = Date.now();
  await cluster.waitForReplicas(stack.nc, EVENTS_STREAM);
  await cluster.waitForReplicas(stack.nc, REPORTS_STREAM);
  return Date.now() - from;
}

describe('JetStream cluster faults (3 nodes, R3 streams)', () => {
  it('the events stream leader SIGKILLed, then restarted', async () => {
    await cluster.waitForReplicas(stack.nc, EVENTS_STREAM);
    const s = await Scenario.start(stack, 'nats leader killed');
    await s.run(2500, 40);
    const leader = await cluster.leaderOf(stack.nc, EVENTS_STREAM);
    await s.faultStarts();
    const killedAt = Date.now();
    await cluster.node(leader).down('SIGKILL');
    const before = s.load.acknowledged;
    const election = await newLeader(leader, killedAt);
    await sleep(Math.max(0, OUTAGE_MS - (Date.now() - killedAt)));
    const duringOutage = s.load.acknowledged - before;
    await cluster.node(leader).up();
    await s.faultEnded();
    await s.run(2000);
    const caughtUp = await replicasCurrent();
    const r = await s.finish();
    console.log(
      describeResult(r, {
        fault: `${leader} (events stream leader) SIGKILLed for ${OUTAGE_MS} ms, restarted on its store`,
        'new leader': `${election.leader} after ${election.ms} ms`,
        'commands acknowledged while it was down': duringOutage,
        'restart → every replica current': `${caughtUp} ms`,
      }),
    );
    expectConsistent(r);
    // Two of three nodes are a majority: the pool kept taking commands.
    expect(duringOutage).toBeGreaterThan(0);
    await stack.stopHosts(s.pool);
  });

  it('a follower SIGKILLed and restarted', async () => {
    await cluster.waitForReplicas(stack.nc, EVENTS_STREAM);
    const s = await Scenario.start(stack, 'nats follower killed');
    await s.run(2500, 40);
    const leader = await cluster.leaderOf(stack.nc, EVENTS_STREAM);
    const follower = cluster.nodes.find((n) => n.name !== leader)!;
    await s.faultStarts();
    await follower.down('SIGKILL');
    const before = s.load.acknowledged;
    await sleep(OUTAGE_MS);
    const duringOutage = s.load.acknowledged - before;
    await follower.up();
    await s.faultEnded();
    await s.run(2000);
    const caughtUp = await replicasCurrent();
    const r = await s.finish();
    console.log(
      describeResult(r, {
        fault: `${follower.name} (follower; leader ${leader}) SIGKILLed for ${OUTAGE_MS} ms`,
        'commands acknowledged while it was down': duringOutage,
        'restart → every replica current': `${caughtUp} ms`,
      }),
    );
    expectConsistent(r);
    expect(duringOutage).toBeGreaterThan(0);
    await stack.stopHosts(s.pool);
  });

  it("the leader's node partitioned from the others, then healed", async () => {
    await cluster.waitForReplicas(stack.nc, EVENTS_STREAM);
    const s = await Scenario.start(stack, 'nats leader partitioned');
    await s.run(2500, 40);
    const leader = await cluster.leaderOf(stack.nc, EVENTS_STREAM);
    await s.faultStarts();
    const cutAt = Date.now();
    // Its clients (some hosts, maybe a master) stay connected to it, on the minority side.
    cluster.partition(leader);
    const before = s.load.acknowledged;
    const election = await newLeader(leader, cutAt);
    await sleep(Math.max(0, PARTITION_MS - (Date.now() - cutAt)));
    const duringOutage = s.load.acknowledged - before;
    cluster.heal(leader);
    await s.faultEnded();
    await s.run(2000);
    const caughtUp = await replicasCurrent();
    const r = await s.finish();
    console.log(
      describeResult(r, {
        fault: `${leader} (events stream leader) cut off from the other nodes for ${PARTITION_MS} ms`,
        'new leader (majority side)': `${election.leader} after ${election.ms} ms`,
        'commands acknowledged during the partition': duringOutage,
        'heal → every replica current': `${caughtUp} ms`,
      }),
    );
    expectConsistent(r);
    await stack.stopHosts(s.pool);
  });
});
