/**
 * PostgreSQL fails over under a steady load: a primary with a synchronous standby (built with
 * pg_basebackup; a commit returns only once the standby has its WAL), every app given both in a
 * multi-host DATABASE_URL. The primary is killed (immediate stop: a crash) and the standby
 * promoted, as a failover manager would; nothing is restarted. Masters, relay and projection
 * must find the new primary by themselves, nothing acknowledged may be lost, and the relay must
 * resume from its checkpoint (the events stream holds every version once).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectConsistent } from './support/expect-consistent.js';
import { FaultStack } from './support/fault-stack.js';
import { sleep } from './support/local-process.js';
import { describeResult, Scenario } from './support/scenario.js';

/** How long the pool runs without a primary before the standby is promoted. */
const DETECTION_MS = 2000;

let stack: FaultStack;

beforeAll(async () => {
  stack = await FaultStack.start({ postgresStandby: true });
});

afterAll(async () => {
  await stack?.close();
});

describe('PostgreSQL failover', () => {
  it('the primary crashes and its synchronous standby is promoted', async () => {
    const s = await Scenario.start(stack, 'postgres failover');
    await s.run(2500, 40);
    await s.faultStarts();
    const crashedAt = Date.now();
    await stack.postgres.down('immediate');
    // Answers to commands committed just before the crash may still be on their way.
    await sleep(500);
    const acknowledgedBefore = s.load.acknowledged;
    await sleep(DETECTION_MS - 500);
    const duringOutage = s.load.acknowledged - acknowledgedBefore;
    await stack.standby!.promote();
    const promotedMs = Date.now() - crashedAt;
    const promotedAcks = s.load.acknowledged;
    // The first command acknowledged after the promotion: the apps found the new primary.
    const firstAck = Date.now();
    while (s.load.acknowledged === promotedAcks) {
      if (Date.now() - firstAck > 60_000) {
        const logs = [...stack.masters, stack.projection!]
          .map((a) => `--- ${a.name} ---\n${a.process.output().split('\n').slice(-30).join('\n')}`)
          .join('\n');
        throw new Error(`no command acknowledged in 60 s after the promotion\n${logs}`);
      }
      await sleep(20);
    }
    const firstAckMs = Date.now() - firstAck;
    await s.faultEnded();
    await s.run(2000);
    const r = await s.finish();
    console.log(
      describeResult(r, {
        fault: `primary crashed (immediate stop), standby promoted ${promotedMs} ms later; no app restarted`,
        'commands acknowledged until 0.5 s after the crash': acknowledgedBefore,
        'commands acknowledged without a primary (from 0.5 s after the crash)': duringOutage,
        'promotion → first command acknowledged': `${firstAckMs} ms`,
      }),
    );
    expectConsistent(r);
    // Nothing can commit without a primary (and the standby held every acknowledged commit).
    expect(duringOutage).toBe(0);
    await stack.stopHosts(s.pool);
  });
});
