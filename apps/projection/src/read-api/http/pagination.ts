import { BadRequestException } from '@nestjs/common';
import type { Page } from '@pool/contracts';

export const DEFAULT_LIMIT = 100;

/** A list answer (`{ items, nextCursor }`), as libs/contracts defines it for every reader. */
export type { Page };

export type CursorKey = (string | number)[];

/**
 * Cursors are opaque to clients: the sort key of the last row served, as base64url JSON. Lists
 * continue strictly after it (keyset pagination), so rows added meanwhile never shift a page.
 */
export function decodeCursor(cursor: string | undefined, arity: number): CursorKey | undefined {
  if (cursor === undefined) return undefined;
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    key = undefined;
  }
  const valid =
    Array.isArray(key) &&
    key.length === arity &&
    // A NUL is no text PostgreSQL can compare: it would fail the query, not the request.
    key.every(
      (v) =>
        (typeof v === 'string' && !v.includes('\u0000')) ||
        (typeof v === 'number' && Number.isFinite(v)),
    );
  if (!valid) {
    throw new BadRequestException({
      code: 'INVALID_CURSOR',
      message: 'cursor is not one this API gave out: pass nextCursor from the previous page',
    });
  }
  return key as CursorKey;
}

export const encodeCursor = (key: CursorKey): string =>
  Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');

/** Cuts `limit + 1` fetched rows to a page; the extra row only says there is a next page. */
export function toPage<R, T>(
  rows: R[],
  limit: number,
  keyOf: (row: R) => CursorKey,
  map: (row: R) => T,
): Page<T> {
  const more = rows.length > limit;
  const served = more ? rows.slice(0, limit) : rows;
  return {
    items: served.map(map),
    nextCursor: more ? encodeCursor(keyOf(served[served.length - 1]!)) : null,
  };
}
