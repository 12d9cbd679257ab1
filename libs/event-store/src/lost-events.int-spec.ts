import { randomInt, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  comparePositions,
  LOG_START,
  type LogPosition,
  type RecordedEvent,
} from '@pool/event-store';
import { createTestEventStore } from '../../../test/support/event-store.js';

/**
 * The lost-event torture test (eventsourcing-anchors §3.2): writers hold their transactions
 * open for a random time after appending, so positions become visible out of order. A reader
 * on the xmin fence must see every committed event once, in commit order; a naive reader on
 * `global_position > last` runs alongside to prove the test can catch the bug.
 */
const SECONDS = Number(process.env.LOST_EVENT_SECONDS ?? 10);
const WRITERS = 8;
const STREAMS = 2000;

let env: Awaited<ReturnType<typeof createTestEventStore>>;
beforeAll(async () => {
  env = await createTestEventStore({ max: WRITERS + 4 });
});
afterAll(() => env.close());

class FencedReader {
  readonly seen: RecordedEvent[] = [];
  private position: LogPosition = LOG_START;
  async poll(): Promise<number> {
    const batch = await env.store.readAll(this.position, 500);
    if (batch.length) this.position = batch[batch.length - 1]!.position;
    this.seen.push(...batch);
    return batch.length;
  }
}

class NaiveReader {
  readonly seen = new Set<string>();
  private last = '0';
  async poll(): Promise<number> {
    const { rows } = await env.pool.query<{ id: string; pos: string }>(
      `SELECT event_id::text AS id, global_position::text AS pos FROM es_events
        WHERE global_position > $1 ORDER BY global_position LIMIT 500`,
      [this.last],
    );
    for (const row of rows) this.seen.add(row.id);
    if (rows.length) this.last = rows[rows.length - 1]!.pos;
    return rows.length;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('lost-event torture test', () => {
  it(
    `reads every committed event once, in commit order (${WRITERS} writers, ${SECONDS}s)`,
    async () => {
      const streams = Array.from({ length: STREAMS }, () => `pool:${randomUUID()}`);
      const deadline = Date.now() + SECONDS * 1000;
      const committed: string[] = [];
      const writer = async () => {
        while (Date.now() < deadline) {
          const eventId = randomUUID();
          await env.store.withTransaction(async (tx) => {
            await tx.append({
              streamId: streams[randomInt(STREAMS)]!,
              events: [{ eventId, type: 'Probed', data: { at: Date.now() } }],
            });
            await tx.client.query('SELECT pg_sleep($1)', [randomInt(21) / 1000]);
          });
          committed.push(eventId);
        }
      };
      const readers = [new FencedReader(), new FencedReader()];
      const naive = new NaiveReader();
      let writing = true;
      const tail = async (reader: { poll(): Promise<number> }) => {
        while (writing) if ((await reader.poll()) === 0) await sleep(2);
        while ((await reader.poll()) > 0);
      };
      const tails = [...readers, naive].map(tail);
      await Promise.all(Array.from({ length: WRITERS }, writer));
      writing = false;
      await Promise.all(tails);

      const { rows } = await env.pool.query<{ n: string }>('SELECT count(*) AS n FROM es_events');
      expect(Number(rows[0]!.n)).toBe(committed.length);
      expect(committed.length).toBeGreaterThan(WRITERS * SECONDS * 10);

      for (const reader of readers) {
        const ids = reader.seen.map((e) => e.eventId);
        expect(new Set(ids).size).toBe(ids.length); // exactly once
        expect(new Set(ids)).toEqual(new Set(committed)); // nothing missed
        for (let i = 1; i < reader.seen.length; i++) {
          expect(comparePositions(reader.seen[i - 1]!.position, reader.seen[i]!.position)).toBe(-1);
        }
        const lastVersion = new Map<string, number>();
        for (const event of reader.seen) {
          expect(event.streamVersion).toBe((lastVersion.get(event.streamId) ?? 0) + 1);
          lastVersion.set(event.streamId, event.streamVersion);
        }
      }
      // The naive reader must have missed some: otherwise this test proves nothing.
      const missed = committed.filter((id) => !naive.seen.has(id)).length;
      console.log(
        `lost-event test: committed ${committed.length}, fenced readers saw ` +
          `${readers.map((r) => r.seen.length).join(' and ')}, naive reader missed ${missed}`,
      );
      expect(missed).toBeGreaterThan(0);
    },
    SECONDS * 1000 + 60_000,
  );
});
