import type { Page } from '@pool/contracts';

/** An API answer other than 2xx, with the `{ code, message }` body when there is one. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string | null,
    message: string,
  ) {
    super(message);
  }
}

/** The most list items a section loads (pages of 500); beyond it the section says so. */
export const LIST_CAP = 5_000;
const PAGE_SIZE = 500;

export type Fetch = (url: string, init?: { headers?: Record<string, string> }) => Promise<Response>;

export async function getJson<T>(fetchFn: Fetch, url: string): Promise<T> {
  const response = await fetchFn(url, { headers: { accept: 'application/json' } });
  if (!response.ok) {
    let code: string | null = null;
    let message = `${response.status} ${response.statusText}`.trim();
    try {
      const body = (await response.json()) as { code?: unknown; message?: unknown };
      if (typeof body.code === 'string') code = body.code;
      if (typeof body.message === 'string') message = body.message;
    } catch {
      // Not JSON: keep the status line.
    }
    throw new ApiError(response.status, code, message);
  }
  return (await response.json()) as T;
}

/** Every item of a paginated list, following `nextCursor`, up to `cap`. */
export async function getAll<T>(
  fetchFn: Fetch,
  url: string,
  cap = LIST_CAP,
): Promise<{ items: T[]; truncated: boolean }> {
  const items: T[] = [];
  let cursor: string | null = null;
  do {
    const query = new URLSearchParams({ limit: String(PAGE_SIZE) });
    if (cursor !== null) query.set('cursor', cursor);
    const separator = url.includes('?') ? '&' : '?';
    const page: Page<T> = await getJson<Page<T>>(fetchFn, `${url}${separator}${query.toString()}`);
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor !== null && items.length < cap);
  return { items: items.slice(0, cap), truncated: cursor !== null || items.length > cap };
}
