import type { HistoryEntryView, Page } from '@pool/contracts';
import { type HistoryFilter } from './route.js';

/** The history view's log as loaded so far: the newest page, then the older ones asked for. */
export interface HistoryPage {
  filter: HistoryFilter;
  entries: HistoryEntryView[] | null;
  /** Where the next older page starts (the API's cursor); null: the log's start is shown. */
  cursor: string | null;
  /** Older pages were loaded on demand: a live refresh keeps them below the newest page. */
  olderLoaded: boolean;
  loadingOlder: boolean;
  error: string | null;
}

export const emptyHistory = (filter: HistoryFilter = {}): HistoryPage => ({
  filter,
  entries: null,
  cursor: null,
  olderLoaded: false,
  loadingOlder: false,
  error: null,
});

/** The query of one page of the log: the filter, and the cursor of an older page. */
export function historyQuery(filter: HistoryFilter, limit: number, cursor?: string): string {
  const query = new URLSearchParams({ limit: String(limit) });
  for (const key of ['actor', 'object', 'type'] as const) {
    const value = filter[key];
    if (value !== undefined) query.set(key, value);
  }
  if (cursor !== undefined) query.set('cursor', cursor);
  return query.toString();
}

/**
 * The newest page read again (a live event, a host report): new events go on top. The older
 * pages the operator loaded stay below it, without the events the new page repeats, and their
 * cursor still leads further back; with none loaded, the new page's cursor does.
 */
export function withNewest(history: HistoryPage, newest: Page<HistoryEntryView>): HistoryPage {
  const fresh = newest.items;
  if (!history.olderLoaded || history.entries === null) {
    return { ...history, entries: fresh, cursor: newest.nextCursor, error: null };
  }
  const lowest = fresh.reduce((min, e) => Math.min(min, e.version), Number.POSITIVE_INFINITY);
  const older = history.entries.filter((e) => e.version < lowest);
  return { ...history, entries: [...fresh, ...older], error: null };
}

/** An older page appended below what is shown; its cursor leads further back. */
export function withOlder(history: HistoryPage, older: Page<HistoryEntryView>): HistoryPage {
  const shown = history.entries ?? [];
  const lowest = shown.reduce((min, e) => Math.min(min, e.version), Number.POSITIVE_INFINITY);
  return {
    ...history,
    entries: [...shown, ...older.items.filter((e) => e.version < lowest)],
    cursor: older.nextCursor,
    olderLoaded: true,
    loadingOlder: false,
    error: null,
  };
}
