import { describe, expect, it } from 'vitest';
import { ApiError, getAll, getJson, type Fetch } from './api-client.js';

/** A list endpoint over `total` items, paginated by numeric cursors. */
function listServer(total: number) {
  const urls: string[] = [];
  const fetchFn: Fetch = (url) => {
    urls.push(url);
    const query = new URL(url, 'http://x').searchParams;
    const from = Number(query.get('cursor') ?? 0);
    const limit = Number(query.get('limit'));
    const items = Array.from({ length: Math.min(limit, total - from) }, (_, i) => from + i);
    const next = from + items.length < total ? String(from + items.length) : null;
    return Promise.resolve(Response.json({ items, nextCursor: next }));
  };
  return { urls, fetchFn };
}

describe('getAll', () => {
  it('follows nextCursor to the end', async () => {
    const { urls, fetchFn } = listServer(1_200);
    const { items, truncated } = await getAll<number>(fetchFn, '/api/pools/p/vms');
    expect(items).toHaveLength(1_200);
    expect(items.at(-1)).toBe(1_199);
    expect(truncated).toBe(false);
    expect(urls).toEqual([
      '/api/pools/p/vms?limit=500',
      '/api/pools/p/vms?limit=500&cursor=500',
      '/api/pools/p/vms?limit=500&cursor=1000',
    ]);
  });

  it('stops at the cap and says the list was cut', async () => {
    const { fetchFn } = listServer(2_000);
    const { items, truncated } = await getAll<number>(fetchFn, '/x?host=a', 1_000);
    expect(items).toHaveLength(1_000);
    expect(truncated).toBe(true);
  });
});

describe('getJson', () => {
  it('turns an error answer into an ApiError with its code and message', async () => {
    const fetchFn: Fetch = () =>
      Promise.resolve(
        Response.json({ code: 'POOL_NOT_FOUND', message: 'No pool p.' }, { status: 404 }),
      );
    const err = await getJson(fetchFn, '/api/pools/p').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 404, code: 'POOL_NOT_FOUND', message: 'No pool p.' });
  });

  it('keeps the status line when the error body is not JSON', async () => {
    const fetchFn: Fetch = () =>
      Promise.resolve(new Response('bad gateway', { status: 502, statusText: 'Bad Gateway' }));
    await expect(getJson(fetchFn, '/x')).rejects.toMatchObject({
      status: 502,
      message: '502 Bad Gateway',
    });
  });
});
