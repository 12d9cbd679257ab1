/**
 * The infrastructure fails under a steady load of commands: NATS is killed and started again
 * (JetStream keeps its store), PostgreSQL crashes (immediate stop: recovery from the WAL) and
 * starts again. Commands are retried by the clients with their ids; afterwards everything the
 * clients were told is in the log once, and every host converges to it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectConsistent } from './support/expect-consistent.js';
import { FaultStack } from './support/fault-stack.js';
import { sleep } from './support/local-process.js';
import { describeResult, Scenario } from './support/scenario.js';

const OUTAGE_MS = 3000;

let stack: FaultStack;

beforeAll(async () => {
  stack = await FaultStack.start();
});

afterAll(async () => {
  await stack?.close();
});

describe('infrastructure faults', () => {
  it('NATS restart', async () => {
    const s = await Scenario.start(stack, 'nats restart');
    await s.run(2500, 40);
    await s.faultStarts();
    await stack.nats.down('SIGKILL');
    const before = s.load.acknowledged;
    await sleep(OUTAGE_MS);
    // The leader keeps taking REST commands for its pool; nothing reaches the hosts.
    const duringOutage = s.load.acknowledged - before;
    await stack.nats.up();
    await s.faultEnded();
    await s.run(2000);
    const r = await s.finish();
    console.log(
      describeResult(r, {
        outage: `${OUTAGE_MS} ms (SIGKILL, then started on the same store)`,
        'commands acknowledged during the outage': duringOutage,
      }),
    );
    expectConsistent(r);
    await stack.stopHosts(s.pool);
  });

  it('PostgreSQL restart', async () => {
    const s = await Scenario.start(stack, 'postgres restart');
    await s.run(2500, 40);
    await s.faultStarts();
    await stack.postgres.down('immediate');
    const before = s.load.acknowledged;
    await sleep(OUTAGE_MS);
    const duringOutage = s.load.acknowledged - before;
    await stack.postgres.up();
    await s.faultEnded();
    await s.run(2000);
    const r = await s.finish();
    console.log(
      describeResult(r, {
        outage: `${OUTAGE_MS} ms (immediate stop: a crash, recovered from the WAL)`,
        'commands acknowledged during the outage': duringOutage,
      }),
    );
    expectConsistent(r);
    // Nothing can be committed without the database.
    expect(duringOutage).toBe(0);
    await stack.stopHosts(s.pool);
  });
});
