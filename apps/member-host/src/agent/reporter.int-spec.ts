import type { HostReport } from '@pool/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestNats } from '../../../../test/support/nats.js';
import { Reporter } from './reporter.js';

const report = (appliedVersion: number, full = false): HostReport => ({
  pool: 'p1',
  host: 'h1',
  appliedVersion,
  digest: full ? 'full' : 'applied',
  at: new Date().toISOString(),
  ports: [],
});

describe('Reporter', () => {
  let t: Awaited<ReturnType<typeof createTestNats>>;
  const subject = () => `${t.root}.p1.hosts.h1.reports`;

  beforeAll(async () => {
    t = await createTestNats();
    await t.jsm.streams.add({ name: t.reportsStream, subjects: [`${t.root}.*.hosts.*.reports`] });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('stores the applied reports (plain publishes) and the full one, newest version last', async () => {
    let version = 0;
    const errors: string[] = [];
    const reporter = new Reporter(
      t.nc,
      subject(),
      (full) => Promise.resolve(report(version, full)),
      (message) => errors.push(message),
    );
    for (version = 1; version <= 5; version++) reporter.soon();
    version = 5;
    await reporter.full(); // waits for the stream's ack, after whatever was in flight
    await t.nc.flush();
    const stored = (await t.readStream(t.reportsStream)).map((m) => m.json<HostReport>());
    expect(errors).toEqual([]);
    // Requests made while one is being built fold into the next: never more reports than
    // requests, the versions only go up, and the last applied one and the full one are there.
    const applied = stored.filter((r) => r.digest === 'applied').map((r) => r.appliedVersion);
    expect(applied.length).toBeGreaterThan(0);
    expect(applied.length).toBeLessThanOrEqual(5);
    expect([...applied].sort((a, b) => a - b)).toEqual(applied);
    expect(stored.at(-1)).toMatchObject({ digest: 'full', appliedVersion: 5 });
    expect(reporter.sent).toBe(stored.length);
  });

  it('says so when the stream does not take the full report', async () => {
    const errors: string[] = [];
    const reporter = new Reporter(
      t.nc,
      `${t.root}.p1.not-a-reports-subject`,
      (full) => Promise.resolve(report(1, full)),
      (message) => errors.push(message),
    );
    await reporter.full();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^report not published: /);
    expect(reporter.sent).toBe(0);
  });
});
