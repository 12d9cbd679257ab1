/**
 * The console's pages as hash routes (`#/vm/web-1`, `#/history?actor=alice`): a link is a plain
 * `<a href>`, the back button works, and a page can be bookmarked with its pool (`?pool=`).
 */

export interface HistoryFilter {
  actor?: string;
  object?: string;
  type?: string;
}

export type ObjectPage = 'vm' | 'host' | 'network' | 'port';

export type Route =
  | { page: 'overview' }
  | { page: 'history'; filter: HistoryFilter }
  | { page: 'event'; version: number }
  | { page: ObjectPage; id: string }
  | { page: 'search'; query: string };

const OBJECT_PAGES: readonly string[] = ['vm', 'host', 'network', 'port'];
const FILTER_KEYS = ['actor', 'object', 'type'] as const;

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#\/?/, '');
  const queryAt = path.indexOf('?');
  const segments = (queryAt < 0 ? path : path.slice(0, queryAt)).split('/');
  const query = new URLSearchParams(queryAt < 0 ? '' : path.slice(queryAt + 1));
  const [page = '', rawId] = segments;
  let id: string | null = null;
  try {
    id = rawId === undefined || rawId === '' ? null : decodeURIComponent(rawId);
  } catch {
    id = null; // a malformed escape: no such page
  }
  if (page === 'history' && id !== null && /^\d{1,15}$/.test(id)) {
    return { page: 'event', version: Number(id) };
  }
  if (page === 'history') {
    const filter: HistoryFilter = {};
    for (const key of FILTER_KEYS) {
      const value = query.get(key)?.trim();
      if (value) filter[key] = value;
    }
    return { page: 'history', filter };
  }
  if (page === 'search') return { page: 'search', query: query.get('q')?.trim() ?? '' };
  if (OBJECT_PAGES.includes(page) && id !== null) return { page: page as ObjectPage, id };
  return { page: 'overview' };
}

export function routeHref(route: Route): string {
  switch (route.page) {
    case 'overview':
      return '#/';
    case 'history': {
      const query = new URLSearchParams();
      for (const key of FILTER_KEYS) {
        const value = route.filter[key];
        if (value) query.set(key, value);
      }
      const text = query.toString();
      return text === '' ? '#/history' : `#/history?${text}`;
    }
    case 'event':
      return `#/history/${route.version}`;
    case 'search':
      return `#/search?${new URLSearchParams({ q: route.query }).toString()}`;
    default:
      return `#/${route.page}/${encodeURIComponent(route.id)}`;
  }
}

export const pageHref = (page: ObjectPage, id: string): string => routeHref({ page, id });
