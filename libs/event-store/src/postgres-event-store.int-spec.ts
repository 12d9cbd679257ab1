import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DuplicateEventIdError,
  InvalidAppendError,
  LOG_START,
  PartialDuplicateError,
  WrongExpectedVersionError,
  type PostgresEventStore,
} from '@pool/event-store';
import { createTestEventStore } from '../../../test/support/event-store.js';
import { READ_STREAM_SQL } from './sql.js';

let env: Awaited<ReturnType<typeof createTestEventStore>>;
let store: PostgresEventStore;
const stream = () => `pool:${randomUUID()}`;
const ev = (n: number) => ({ type: 'Thing', data: { n } });
const rowCount = async () =>
  Number((await env.pool.query<{ n: string }>('SELECT count(*) AS n FROM es_events')).rows[0]!.n);

beforeAll(async () => {
  env = await createTestEventStore();
  store = env.store;
});
afterAll(() => env.close());

describe('append', () => {
  it('appends to a new stream and reads it back in version order', async () => {
    const s = stream();
    const result = await store.append(s, [ev(1), ev(2)], { expectedVersion: 'no_stream' });
    expect(result).toMatchObject({ firstVersion: 1, nextExpectedVersion: 2, duplicate: false });
    await store.append(s, [ev(3)], { expectedVersion: 2 });
    const events = await store.readStream(s);
    expect(events.map((e) => [e.streamVersion, e.data])).toEqual([
      [1, { n: 1 }],
      [2, { n: 2 }],
      [3, { n: 3 }],
    ]);
    expect(await store.streamVersion(s)).toBe(3);
  });

  it.each([
    ['a stale exact version', 1, 2],
    ['no_stream on an existing stream', 'no_stream' as const, 2],
  ])('refuses %s with a typed error and writes nothing', async (_, expected, actual) => {
    const s = stream();
    await store.append(s, [ev(1), ev(2)]);
    const before = await rowCount();
    const error = await store.append(s, [ev(3)], { expectedVersion: expected }).catch((e) => e);
    expect(error).toBeInstanceOf(WrongExpectedVersionError);
    expect(error).toMatchObject({ code: 'WRONG_EXPECTED_VERSION', actual });
    expect(await rowCount()).toBe(before);
    expect(await store.streamVersion(s)).toBe(2);
  });

  it('refuses stream_exists on a missing stream', async () => {
    const error = await store
      .append(stream(), [ev(1)], { expectedVersion: 'stream_exists' })
      .catch((e) => e);
    expect(error).toMatchObject({ code: 'WRONG_EXPECTED_VERSION', actual: 0 });
  });

  it('lets exactly one of many racing writers with the same expected version win', async () => {
    const s = stream();
    await store.append(s, [ev(0)]);
    const results = await Promise.allSettled(
      Array.from({ length: 12 }, (_, i) => store.append(s, [ev(i)], { expectedVersion: 1 })),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(failures.every((f) => f.reason instanceof WrongExpectedVersionError)).toBe(true);
    expect(await store.streamVersion(s)).toBe(2);
  });

  it("serialises 'any' appends from racing writers without losing one", async () => {
    const s = stream();
    await Promise.all(Array.from({ length: 40 }, (_, i) => store.append(s, [ev(i)])));
    const versions = (await store.readStream(s)).map((e) => e.streamVersion);
    expect(versions).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
  });
});

describe('idempotency', () => {
  it('returns the first result for a repeated command id and writes nothing', async () => {
    const s = stream();
    const commandId = randomUUID();
    const first = await store.append(s, [ev(1), ev(2)], { commandId });
    await store.append(s, [ev(3)]);
    const before = await rowCount();
    const again = await store.append(s, [ev(1), ev(2)], { commandId, expectedVersion: 0 });
    expect(again).toMatchObject({ duplicate: true, firstVersion: 1, nextExpectedVersion: 2 });
    expect(again.commands).toEqual(first.commands);
    expect(await rowCount()).toBe(before);
  });

  it('stores a command once when the same command races itself', async () => {
    const s = stream();
    const commandId = randomUUID();
    const results = await Promise.all(
      Array.from({ length: 8 }, () => store.append(s, [ev(1)], { commandId })),
    );
    expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
    expect(await store.streamVersion(s)).toBe(1);
  });

  it('refuses a request whose command ids are only partly known', async () => {
    const s = stream();
    const known = randomUUID();
    await store.append(s, [ev(1)], { commandId: known });
    const error = await store
      .appendRequest({
        streamId: s,
        events: [ev(1), ev(2)],
        commands: [
          { commandId: known, eventCount: 1 },
          { commandId: randomUUID(), eventCount: 1 },
        ],
      })
      .catch((e) => e);
    expect(error).toBeInstanceOf(PartialDuplicateError);
  });

  it('refuses a reused event id under another command without failing its batch-mates', async () => {
    const eventId = randomUUID();
    await store.append(stream(), [{ ...ev(1), eventId }]);
    const other = stream();
    const [bad, good] = await Promise.allSettled([
      store.append(stream(), [{ ...ev(2), eventId }]),
      store.append(other, [ev(3)]),
    ]);
    expect(bad).toMatchObject({ status: 'rejected', reason: expect.any(DuplicateEventIdError) });
    expect(good.status).toBe('fulfilled');
    expect(await store.streamVersion(other)).toBe(1);
  });
});

describe('bad arguments', () => {
  const cases: [string, () => Promise<unknown>][] = [
    ['an empty stream id', () => store.append('', [ev(1)])],
    ['a blank stream id', () => store.append('  ', [ev(1)])],
    [
      'an unknown expected-version mode',
      () => store.append(stream(), [ev(1)], { expectedVersion: 'maybe' as never }),
    ],
    ['a negative expected version', () => store.append(stream(), [ev(1)], { expectedVersion: -1 })],
    ['data with a function', () => store.append(stream(), [{ type: 'X', data: { f: () => 1 } }])],
    ['data with undefined', () => store.append(stream(), [{ type: 'X', data: { u: undefined } }])],
    ['data with NaN', () => store.append(stream(), [{ type: 'X', data: { n: Number.NaN } }])],
    ['data with a BigInt', () => store.append(stream(), [{ type: 'X', data: { b: 1n } }])],
    ['data with a Date object', () => store.append(stream(), [{ type: 'X', data: new Date() }])],
    ['an event without a type', () => store.append(stream(), [{ type: '', data: {} }])],
    ['an event id that is not a UUID', () => store.append(stream(), [{ ...ev(1), eventId: 'x' }])],
  ];
  it.each(cases)('refuses %s with a clear error and writes nothing', async (_, call) => {
    const before = await rowCount();
    const error = (await call().catch((e: unknown) => e)) as InvalidAppendError;
    expect(error).toBeInstanceOf(InvalidAppendError);
    expect(error.code).toBe('INVALID_APPEND');
    expect(error.message.length).toBeGreaterThan(10);
    expect(await rowCount()).toBe(before);
  });
});

describe('readAll', () => {
  it('returns events in commit order, resuming after a position', async () => {
    const s = stream();
    await store.append(s, [ev(1), ev(2), ev(3)]);
    const all = await store.readAll(LOG_START, 100_000);
    const mine = all.filter((e) => e.streamId === s);
    expect(mine.map((e) => e.streamVersion)).toEqual([1, 2, 3]);
    const after = await store.readAll(mine[0]!.position, 100_000);
    expect(after.filter((e) => e.streamId === s).map((e) => e.streamVersion)).toEqual([2, 3]);
  });
});

describe('readStream', () => {
  it('reads a page from the middle of a long stream without reading its tail', async () => {
    const s = stream();
    for (let first = 1; first <= 3000; first += 500) {
      await store.append(
        s,
        Array.from({ length: 500 }, (_, i) => ev(first + i)),
      );
    }
    await env.pool.query('ANALYZE es_events');
    const page = await store.readStream(s, 1000, 20);
    expect(page.map((e) => e.streamVersion)).toEqual(
      Array.from({ length: 20 }, (_, i) => 1000 + i),
    );
    expect((await store.readStream(s, 0, 2)).map((e) => e.streamVersion)).toEqual([1, 2]);
    // The rows PostgreSQL reads from es_events for the page: the page, not the 2,001 events
    // from version 1000 to the head (issue 22: the history reads sorted a million of them).
    const { rows } = await env.pool.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(
      `EXPLAIN (ANALYZE, FORMAT JSON) ${READ_STREAM_SQL}`,
      [s, 1000, 20],
    );
    const scans = planNodes(rows[0]!['QUERY PLAN'][0].Plan).filter(
      (node) => node['Relation Name'] === 'es_events',
    );
    expect(scans.length).toBeGreaterThan(0);
    for (const scan of scans) expect(scan['Actual Rows']).toBeLessThanOrEqual(20);
  });
});

interface PlanNode {
  'Relation Name'?: string;
  'Actual Rows': number;
  Plans?: PlanNode[];
}

const planNodes = (node: PlanNode): PlanNode[] => [node, ...(node.Plans ?? []).flatMap(planNodes)];
