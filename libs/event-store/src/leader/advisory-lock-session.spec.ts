import { afterEach, describe, expect, it, vi } from 'vitest';

/**
 * A pg.Client stand-in that answers each query after a tick and records how many were running
 * at once on it: the real one queues a second query itself, with a deprecation warning.
 */
const fake = vi.hoisted(() => {
  const state = {
    inFlight: 0,
    maxInFlight: 0,
    locked: new Map<string, number>(),
    sql: [] as string[],
  };
  class Client {
    on(): void {}
    async connect(): Promise<void> {}
    async end(): Promise<void> {}
    async query(sql: string, params: string[] = []): Promise<{ rows: { ok: boolean }[] }> {
      state.inFlight++;
      state.maxInFlight = Math.max(state.maxInFlight, state.inFlight);
      state.sql.push(sql);
      await new Promise((resolve) => setTimeout(resolve, 2));
      state.inFlight--;
      const name = params[0] ?? '';
      // Session advisory locks stack: each lock needs its own unlock.
      if (sql.includes('pg_try_advisory_lock')) {
        state.locked.set(name, (state.locked.get(name) ?? 0) + 1);
        return { rows: [{ ok: true }] };
      }
      if (sql.includes('pg_advisory_unlock'))
        state.locked.set(name, (state.locked.get(name) ?? 1) - 1);
      return { rows: [] };
    }
  }
  return { state, Client };
});

vi.mock('pg', () => ({ default: { Client: fake.Client } }));

const { AdvisoryLockSession } = await import('./advisory-lock-session.js');

describe('AdvisoryLockSession', () => {
  afterEach(() => {
    fake.state.inFlight = 0;
    fake.state.maxInFlight = 0;
    fake.state.locked.clear();
    fake.state.sql = [];
  });

  it('runs one query at a time on its connection, heartbeats included', async () => {
    const session = new AdvisoryLockSession({
      connectionString: 'postgres://x/db',
      heartbeatMs: 1,
    });
    await session.open();
    const names = Array.from({ length: 20 }, (_, i) => `pool-${i}`);
    await Promise.all([
      ...names.map((name) => session.tryLock(name)),
      new Promise((resolve) => setTimeout(resolve, 10)),
    ]);
    await Promise.all(names.map((name) => session.unlock(name)));
    await session.close();
    expect(fake.state.sql.some((sql) => sql === 'SELECT 1')).toBe(true);
    expect(fake.state.maxInFlight).toBe(1);
  });

  it('takes a lock asked for twice at once only once, so one unlock frees it', async () => {
    const session = new AdvisoryLockSession({ connectionString: 'postgres://x/db' });
    await session.open();
    const [first, second] = await Promise.all([session.tryLock('p'), session.tryLock('p')]);
    expect([first, second]).toEqual([true, true]);
    await session.unlock('p');
    expect(fake.state.locked.get('p')).toBe(0);
    await session.close();
  });
});
