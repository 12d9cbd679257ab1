import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { replayPool, serializePoolState } from '@pool/domain';
import { ForeignStateError, StateStore, type JournalEntry } from './state-store.js';
import { envelopeOf, POOL, poolEvents } from './testing/fake-feed.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function newDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'state-store-spec-'));
  dirs.push(dir);
  return dir;
}

const entries = (from: number, to: number): JournalEntry[] => {
  const events = poolEvents(3);
  return events.slice(from - 1, to).map((e, i) => ({
    v: from + i,
    s: 100 + from + i,
    raw: JSON.stringify(envelopeOf(e, from + i)),
  }));
};
const line = ({ v, s, raw }: JournalEntry) => `{"v":${v},"s":${s},"e":${raw}}\n`;

describe('StateStore', () => {
  it('loads nothing from an empty directory', async () => {
    const store = new StateStore(await newDir(), { pool: POOL, host: 'h1' });
    expect(await store.load()).toBeUndefined();
    await store.close();
  });

  it('folds the journal into the checkpoint, skipping lines the checkpoint holds', async () => {
    const events = poolEvents(3);
    const dir = await newDir();
    const store = new StateStore(dir, { pool: POOL, host: 'h1', minCompactBytes: 1 << 30 });
    await store.checkpoint({ state: replayPool(events.slice(0, 3)), version: 3, seq: 103 });
    const replica = { state: replayPool(events.slice(0, 6)), version: 6, seq: 106 };
    await store.append(entries(4, 6), replica);
    await store.close();
    // A crash between the checkpoint's rename and the journal's truncation leaves old lines.
    const journal = await readFile(join(dir, 'journal.ndjson'), 'utf8');
    const stale = entries(2, 3).map(line).join('');
    await writeFile(join(dir, 'journal.ndjson'), stale + journal);

    const loaded = await new StateStore(dir, { pool: POOL, host: 'h1' }).load();
    expect(loaded?.version).toBe(6);
    expect(loaded?.seq).toBe(106);
    expect(serializePoolState(loaded!.state)).toEqual(serializePoolState(replica.state));
  });

  it('compacts once the journal outgrows the checkpoint', async () => {
    const events = poolEvents(3);
    const dir = await newDir();
    const store = new StateStore(dir, { pool: POOL, host: 'h1', minCompactBytes: 10 });
    await store.checkpoint({ state: replayPool(events.slice(0, 1)), version: 1, seq: 101 });
    const all = entries(2, events.length);
    for (const [i, entry] of all.entries()) {
      await store.append([entry], {
        state: replayPool(events.slice(0, i + 2)),
        version: entry.v,
        seq: entry.s,
      });
    }
    await store.close();
    const checkpoint = JSON.parse(await readFile(join(dir, 'state.json'), 'utf8')) as {
      version: number;
    };
    expect(checkpoint.version).toBeGreaterThan(1);
    const loaded = await new StateStore(dir, { pool: POOL, host: 'h1' }).load();
    expect(loaded?.version).toBe(events.length);
  });

  it('sets a damaged checkpoint aside and starts empty', async () => {
    const dir = await newDir();
    await writeFile(join(dir, 'state.json'), '{"format":');
    const store = new StateStore(dir, { pool: POOL, host: 'h1' });
    expect(await store.load()).toBeUndefined();
    await store.close();
    expect((await readdir(dir)).some((f) => f.startsWith('state.json.corrupt-'))).toBe(true);
  });

  it('refuses a state directory of another host', async () => {
    const dir = await newDir();
    const store = new StateStore(dir, { pool: POOL, host: 'h1' });
    await store.checkpoint({ state: replayPool([]), version: 0, seq: 0 });
    await store.close();
    await expect(new StateStore(dir, { pool: POOL, host: 'h2' }).load()).rejects.toThrow(
      ForeignStateError,
    );
  });
});
