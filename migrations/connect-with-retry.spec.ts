import { type DataSource } from 'typeorm';
import { describe, expect, it } from 'vitest';
import { initializeWithRetry, isNotReadyYet } from './connect-with-retry.js';
import { migrationDataSource } from './data-source.js';

const failing = (code: string) => Object.assign(new Error(`boom ${code}`), { code });

/** A DataSource stand-in whose initialize() fails with the given codes, then succeeds. */
function flaky(codes: string[]) {
  let calls = 0;
  const ok = { initialized: true } as unknown as DataSource;
  const create = () =>
    ({
      initialize: () => {
        const code = codes[calls++];
        return code ? Promise.reject(failing(code)) : Promise.resolve(ok);
      },
    }) as unknown as DataSource;
  return { create, ok, calls: () => calls };
}

describe('initializeWithRetry', () => {
  it('waits out a server that refuses, then is starting up, with doubling bounded delays', async () => {
    const { create, ok, calls } = flaky(['ECONNREFUSED', 'ENOTFOUND', '57P03', '57P03']);
    const delays: number[] = [];
    const ds = await initializeWithRetry(create, {
      deadlineMs: 60_000,
      firstDelayMs: 100,
      maxDelayMs: 300,
      sleep: (ms) => (delays.push(ms), Promise.resolve()),
    });
    expect(ds).toBe(ok);
    expect(calls()).toBe(5);
    expect(delays).toEqual([100, 200, 300, 300]);
  });

  it('fails at once on an error that waiting cannot fix (a wrong password)', async () => {
    const { create, calls } = flaky(['28P01']);
    await expect(
      initializeWithRetry(create, { deadlineMs: 60_000, firstDelayMs: 1, maxDelayMs: 1 }),
    ).rejects.toThrow('boom 28P01');
    expect(calls()).toBe(1);
  });

  it('gives up with the last error once the deadline has passed (a real refused port)', async () => {
    const started = Date.now();
    let retries = 0;
    const error: unknown = await initializeWithRetry(
      () => migrationDataSource('postgres://postgres@127.0.0.1:1/postgres'),
      { deadlineMs: 600, firstDelayMs: 50, maxDelayMs: 200, onRetry: () => void retries++ },
    ).catch((e: unknown) => e);
    expect(isNotReadyYet(error)).toBe(true);
    expect((error as { code: string }).code).toBe('ECONNREFUSED');
    expect(retries).toBeGreaterThanOrEqual(2);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
