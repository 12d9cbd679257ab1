import { describe, expect, it } from 'vitest';
import { parseRoute, routeHref, type Route } from './route.js';

describe('console routes', () => {
  it('reads each page from the hash and writes it back', () => {
    const routes: Route[] = [
      { page: 'overview' },
      { page: 'history', filter: {} },
      { page: 'history', filter: { actor: 'alice', object: 'vms/web-1', type: 'VmStarted' } },
      { page: 'event', version: 42 },
      { page: 'vm', id: 'web 1/é' },
      { page: 'host', id: 'h-a' },
      { page: 'network', id: 'prod' },
      { page: 'port', id: 'web-1-0' },
      { page: 'search', query: '02:00:00:00:01:01' },
    ];
    for (const route of routes) expect(parseRoute(routeHref(route))).toEqual(route);
  });

  it('falls back to the overview on anything it does not know', () => {
    for (const hash of ['', '#', '#/', '#/nope/x', '#/vm', '#/vm/%E0%A4%A']) {
      expect(parseRoute(hash)).toEqual({ page: 'overview' });
    }
  });
});
