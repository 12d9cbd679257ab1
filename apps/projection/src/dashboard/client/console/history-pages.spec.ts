import type { HistoryEntryView } from '@pool/contracts';
import { describe, expect, it } from 'vitest';
import {
  emptyHistory,
  historyQuery,
  readNewest,
  withNewest,
  withOlder,
  type FetchHistoryPage,
} from './history-pages.js';

const entry = (version: number): HistoryEntryView => ({
  version,
  type: 'VmStarted',
  recordedAt: '2026-12-07T10:00:00.000Z',
  actor: 'alice',
  objects: [`vms/vm-${version}`],
});
const versions = (from: number, to: number) =>
  Array.from({ length: from - to + 1 }, (_, i) => entry(from - i));
const shown = (h: { entries: HistoryEntryView[] | null }) => h.entries?.map((e) => e.version);

describe('history pages', () => {
  it('asks for the filter, and for an older page from its cursor', () => {
    expect(historyQuery({ actor: 'a b', type: 'VmStarted' }, 100)).toBe(
      'limit=100&actor=a+b&type=VmStarted',
    );
    expect(historyQuery({ object: 'vms/web-1' }, 100, '41')).toBe(
      'limit=100&object=vms%2Fweb-1&cursor=41',
    );
  });

  it('loads older pages below the newest, following each cursor to the start', () => {
    let h = withNewest(emptyHistory(), { items: versions(10, 8), nextCursor: '8' });
    expect(h.cursor).toBe('8');
    h = withOlder(h, { items: versions(7, 5), nextCursor: '5' });
    expect(shown(h)).toEqual([10, 9, 8, 7, 6, 5]);
    h = withOlder(h, { items: versions(4, 1), nextCursor: null });
    expect(shown(h)).toEqual([10, 9, 8, 7, 6, 5, 4, 3, 2, 1]);
    expect(h.cursor).toBeNull();
  });

  it('puts live events on top and keeps the older pages and their cursor', () => {
    let h = withNewest(emptyHistory(), { items: versions(10, 8), nextCursor: '8' });
    h = withOlder(h, { items: versions(7, 5), nextCursor: '5' });
    h = withNewest(h, { items: versions(12, 10), nextCursor: '10' });
    expect(shown(h)).toEqual([12, 11, 10, 9, 8, 7, 6, 5]);
    expect(h.cursor).toBe('5');
  });

  it('without older pages, a refresh is the newest page and its cursor', () => {
    let h = withNewest(emptyHistory(), { items: versions(10, 8), nextCursor: '8' });
    h = withNewest(h, { items: versions(11, 9), nextCursor: '9' });
    expect(shown(h)).toEqual([11, 10, 9]);
    expect(h.cursor).toBe('9');
  });

  it('a refresh after more new events than a page holds shows no gap above the older pages', () => {
    let h = withNewest(emptyHistory(), { items: versions(10, 8), nextCursor: '8' });
    h = withOlder(h, { items: versions(7, 5), nextCursor: '5' });
    // Events 11 to 20 arrived; the newest page (3 long) holds 20 to 18 only.
    h = withNewest(h, { items: versions(20, 18), nextCursor: '18' });
    expect(shown(h)).toEqual([20, 19, 18]);
    expect(h.cursor).toBe('18');
    expect(h.olderLoaded).toBe(false);
  });

  it('reads back from the newest page by cursor until it meets the older pages shown', async () => {
    let head = 10;
    const asked: (string | undefined)[] = [];
    // The read API's paging: `limit` events below the cursor, newest first.
    const fetchPage: FetchHistoryPage = (cursor) => {
      asked.push(cursor);
      const below = cursor === undefined ? head + 1 : Number(cursor);
      const top = below - 1;
      const bottom = Math.max(1, below - 3);
      return Promise.resolve({
        items: versions(top, bottom),
        nextCursor: bottom > 1 ? String(bottom) : null,
      });
    };
    let h = withNewest(emptyHistory(), await readNewest(emptyHistory(), fetchPage));
    h = withOlder(h, await fetchPage(h.cursor!));
    expect(shown(h)).toEqual([10, 9, 8, 7, 6, 5]);
    head = 18;
    asked.length = 0;
    h = withNewest(h, await readNewest(h, fetchPage));
    expect(shown(h)).toEqual([18, 17, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5]);
    expect(asked).toEqual([undefined, '16', '13']);
    expect(h.cursor).toBe('5');
    expect(h.olderLoaded).toBe(true);
  });

  it('gives up reading back after a bounded number of pages and drops the older ones', async () => {
    const fetchPage: FetchHistoryPage = (cursor) => {
      const below = cursor === undefined ? 101 : Number(cursor);
      return Promise.resolve({
        items: versions(below - 1, below - 3),
        nextCursor: String(below - 3),
      });
    };
    let h = withNewest(emptyHistory(), { items: versions(10, 8), nextCursor: '8' });
    h = withOlder(h, { items: versions(7, 5), nextCursor: '5' });
    h = withNewest(h, await readNewest(h, fetchPage, 2));
    expect(shown(h)).toEqual([100, 99, 98, 97, 96, 95]);
    expect(h.cursor).toBe('95');
    expect(h.olderLoaded).toBe(false);
  });
});
