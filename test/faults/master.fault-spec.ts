/**
 * Faults of the write side, under a steady load of commands:
 * - the leading master is SIGKILLed while its group commit is inside PostgreSQL (frozen there
 *   by a table lock, then released): the other replica takes over, the dead leader's batch is
 *   either committed by its orphaned session or not, and either way every command is applied
 *   exactly once and every acknowledged one is in the log;
 * - the relay is killed after it published a batch and before its checkpoint landed: the other
 *   replica's relay publishes the batch again, JetStream drops it by message id, and no host
 *   applies anything twice.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectConsistent } from './support/expect-consistent.js';
import { type App, FaultStack } from './support/fault-stack.js';
import { sleep } from './support/local-process.js';
import { describeResult, Scenario } from './support/scenario.js';
import { TableLock, terminateBackend, waitForBlockedBackend } from './support/table-lock.js';

let stack: FaultStack;

beforeAll(async () => {
  stack = await FaultStack.start();
});

afterAll(async () => {
  await stack?.close();
});

/** The master whose database sessions are named `poolnet-master:<replica>`. */
const masterOf = (app: string): App => {
  const replica = app.split(':')[1];
  const master = stack.masters.find((m) => m.name === `pool-master-${replica?.slice(1)}`);
  if (!master) throw new Error(`no master runs as ${app}`);
  return master;
};

const metric = async (base: string, name: string): Promise<number> => {
  const text = await (await fetch(`${base}/metrics`)).text();
  const match = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text);
  return match ? Number(match[1]) : 0;
};

describe('write-side faults', () => {
  it('SIGKILL of the leading master mid-group-commit', async () => {
    const s = await Scenario.start(stack, 'leader kill', { workers: 6 });
    await s.run(3000, 40);
    await s.faultStarts();
    const lock = await TableLock.take(stack.postgres.url, 'es_streams');
    let leader!: App;
    let frozenBy!: string;
    let inFlightAtKill = 0;
    try {
      // The leader's group commit is now inside es_append, waiting for the lock.
      frozenBy = (await waitForBlockedBackend(stack.sql, 'es_append')).app;
      // Clients' commands wait behind the frozen batch (or in it).
      const deadline = Date.now() + 5000;
      while (s.load.inFlight < 2 && Date.now() < deadline) await sleep(20);
      inFlightAtKill = s.load.inFlight;
      leader = masterOf(frozenBy);
      leader.kill('SIGKILL');
      await leader.process.exited;
    } finally {
      await lock.release();
    }
    await s.faultEnded();
    await leader.restart();
    await s.run(2000);
    const r = await s.finish();
    const answeredFromTheLog = s.load.acks.filter((a) => a.duplicate).length;
    console.log(
      describeResult(r, {
        'killed leader': frozenBy,
        'client commands in flight at the kill': inFlightAtKill,
        'commands the dead leader had written, answered by the new one as duplicates':
          answeredFromTheLog,
      }),
    );
    expectConsistent(r);
    await stack.stopHosts(s.pool);
  });

  it('relay killed between publish and checkpoint', async () => {
    const s = await Scenario.start(stack, 'relay kill');
    await s.run(3000, 40);
    await s.faultStarts();
    const lock = await TableLock.take(stack.postgres.url, 'es_checkpoints');
    let relay!: App;
    let survivor!: App;
    let blocked!: { app: string; pid: number };
    try {
      // The relay published a batch and waits to store its checkpoint.
      blocked = await waitForBlockedBackend(stack.sql, 'es_checkpoints');
      await sleep(300);
      relay = masterOf(blocked.app);
      survivor = stack.masters.find((m) => m !== relay)!;
      relay.kill('SIGKILL');
      await relay.process.exited;
      // Its checkpoint must never land: end the orphaned session as a lost connection would.
      await terminateBackend(stack.sql, blocked.pid);
    } finally {
      await lock.release();
    }
    const duplicatesBefore = await metric(survivor.base, 'poolnet_relay_duplicates_total');
    await s.faultEnded();
    await relay.restart();
    await s.run(2000);
    const r = await s.finish();
    const dropped =
      (await metric(survivor.base, 'poolnet_relay_duplicates_total')) - duplicatesBefore;
    console.log(
      describeResult(r, {
        'killed relay': blocked.app,
        'republished events JetStream dropped by message id': dropped,
      }),
    );
    expectConsistent(r);
    // The batch went out again from the old checkpoint, and the broker recognised it.
    expect(dropped).toBeGreaterThan(0);
    await stack.stopHosts(s.pool);
  });
});
