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

/** Pages of the log the newest page is read through: `cursor` undefined asks for the newest. */
export type FetchHistoryPage = (cursor?: string) => Promise<Page<HistoryEntryView>>;

/**
 * How many pages a refresh reads back to meet the older pages shown; past that many new
 * events the older pages are dropped instead (withNewest), and the operator loads them again.
 */
export const REFRESH_PAGES = 10;

/**
 * The newest page read again, followed back by its cursor until it meets what `history` shows
 * (at most `maxPages` pages): more new events than one page holds arrived since the last
 * refresh, and the older pages the operator loaded must not sit below a gap.
 */
export async function readNewest(
  history: HistoryPage,
  fetchPage: FetchHistoryPage,
  maxPages = REFRESH_PAGES,
): Promise<Page<HistoryEntryView>> {
  let newest = await fetchPage();
  for (let pages = 1; pages < maxPages && !meets(history, newest); pages++) {
    const below = await fetchPage(newest.nextCursor!);
    newest = { items: [...newest.items, ...below.items], nextCursor: below.nextCursor };
  }
  return newest;
}

/**
 * The newest page read again (a live event, a host report): new events go on top. The older
 * pages the operator loaded stay below it, without the events the new page repeats, and their
 * cursor still leads further back; with none loaded, or when the new page does not reach down
 * to what is shown (a gap would hide events), the new page and its cursor replace them.
 */
export function withNewest(history: HistoryPage, newest: Page<HistoryEntryView>): HistoryPage {
  const fresh = newest.items;
  if (!history.olderLoaded || history.entries === null || !meets(history, newest)) {
    return {
      ...history,
      entries: fresh,
      cursor: newest.nextCursor,
      olderLoaded: false,
      error: null,
    };
  }
  const lowest = lowestVersion(fresh);
  const older = history.entries.filter((e) => e.version < lowest);
  return { ...history, entries: [...fresh, ...older], error: null };
}

/**
 * Whether `newest` leaves no event out above what `history` shows: it reaches down to the
 * newest entry shown, or there is nothing older than it (no cursor), or nothing new came.
 */
function meets(history: HistoryPage, newest: Page<HistoryEntryView>): boolean {
  const shown = history.entries ?? [];
  if (!history.olderLoaded || shown.length === 0 || newest.items.length === 0) return true;
  if (newest.nextCursor === null) return true;
  const top = shown.reduce((max, e) => Math.max(max, e.version), 0);
  return lowestVersion(newest.items) <= top;
}

const lowestVersion = (entries: HistoryEntryView[]): number =>
  entries.reduce((min, e) => Math.min(min, e.version), Number.POSITIVE_INFINITY);

/** An older page appended below what is shown; its cursor leads further back. */
export function withOlder(history: HistoryPage, older: Page<HistoryEntryView>): HistoryPage {
  const shown = history.entries ?? [];
  const lowest = lowestVersion(shown);
  return {
    ...history,
    entries: [...shown, ...older.items.filter((e) => e.version < lowest)],
    cursor: older.nextCursor,
    olderLoaded: true,
    loadingOlder: false,
    error: null,
  };
}
