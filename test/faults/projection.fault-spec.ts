/**
 * The projection is SIGKILLed while a batch of read-model rows is written: its transaction is
 * frozen on the checkpoint (a table lock), the process dies, the transaction never commits.
 * Started again, it replays from its last checkpoint, and its tables equal a rebuild from the
 * whole log (the projection's own `verifyReadModels`, run by every scenario's final check).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectConsistent } from './support/expect-consistent.js';
import { FaultStack } from './support/fault-stack.js';
import { sleep } from './support/local-process.js';
import { describeResult, retry, Scenario } from './support/scenario.js';
import { TableLock, waitForBlockedBackend } from './support/table-lock.js';

let stack: FaultStack;

beforeAll(async () => {
  stack = await FaultStack.start();
});

afterAll(async () => {
  await stack?.close();
});

/** Events in the whole log, and events the read models' checkpoint covers. */
const progress = () =>
  retry(async () => {
    const { rows } = await stack.sql.query<{ log: string; projected: string | null }>(
      `SELECT (SELECT count(*) FROM es_events) AS log,
              (SELECT max(events) FROM rm_checkpoints) AS projected`,
    );
    return { log: Number(rows[0]!.log), projected: Number(rows[0]!.projected ?? 0) };
  });

describe('projection faults', () => {
  it('projection killed mid-batch', async () => {
    const projection = stack.projection!;
    const s = await Scenario.start(stack, 'projection kill');
    await s.run(2500, 40);
    await s.faultStarts();
    const lock = await TableLock.take(stack.postgres.url, 'rm_checkpoints');
    let frozenBy!: string;
    let before!: { log: number; projected: number };
    try {
      // Rows of the batch are written; its checkpoint waits for the lock.
      frozenBy = (await waitForBlockedBackend(stack.sql, 'rm_checkpoints', 'poolnet-projector'))
        .app;
      await sleep(300);
      projection.kill('SIGKILL');
      await projection.process.exited;
      before = await progress();
    } finally {
      await lock.release();
    }
    await projection.restart();
    const restartedAt = Date.now();
    const target = (await progress()).log;
    for (;;) {
      if ((await progress()).projected >= target) break;
      if (Date.now() - restartedAt > 120_000) throw new Error('the projection never caught up');
      await sleep(100);
    }
    const caughtUpMs = Date.now() - restartedAt;
    await s.faultEnded();
    await s.run(1500);
    const r = await s.finish();
    console.log(
      describeResult(r, {
        'frozen batch written by': frozenBy,
        'events projected when killed / in the log': `${before.projected} / ${before.log}`,
        'projection restart → read models at the log head': `${(caughtUpMs / 1000).toFixed(2)} s`,
      }),
    );
    expectConsistent(r);
    expect(r.readModels).toBe('equal to a rebuild from the log');
    await stack.stopHosts(s.pool);
  });
});
