import type { HistoryEntryView } from '@pool/contracts';
import { describe, expect, it } from 'vitest';
import { emptyHistory, historyQuery, withNewest, withOlder } from './history-pages.js';

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
});
