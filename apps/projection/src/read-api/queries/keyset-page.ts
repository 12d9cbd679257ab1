import type { DataSource, EntityTarget, ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import type { ListQuery } from '../dto/list-queries.js';
import { decodeCursor, DEFAULT_LIMIT, toPage, type Page } from '../http/pagination.js';

export interface KeysetList<R extends ObjectLiteral> {
  entity: EntityTarget<R>;
  /** The sort key: entity properties, unique together (the last one usually an id). */
  key: (keyof R & string)[];
  /** Newest first, for keys that grow (versions). */
  descending?: boolean;
  /** Only this pool's rows (`poolId`); absent for lists across pools. */
  pool?: string;
  /** The list's own filters. */
  narrow?: (q: SelectQueryBuilder<R>) => void;
}

/**
 * One page of an entity's rows in key order, strictly after the query's cursor (keyset
 * pagination: `(k1, k2) > (:c1, :c2)`, which PostgreSQL serves from the key's index).
 */
export async function keysetPage<R extends ObjectLiteral>(
  db: DataSource,
  list: KeysetList<R>,
  query: ListQuery,
): Promise<Page<R>> {
  const limit = query.limit ?? DEFAULT_LIMIT;
  const after = decodeCursor(query.cursor, list.key.length);
  const order = list.descending ? 'DESC' : 'ASC';
  const q = db.getRepository(list.entity).createQueryBuilder('r');
  if (list.pool !== undefined) q.andWhere('r.poolId = :pool', { pool: list.pool });
  list.narrow?.(q);
  list.key.forEach((k) => q.addOrderBy(`r.${k}`, order));
  if (after) {
    const columns = list.key.map((k) => `r.${k}`).join(', ');
    const values = list.key.map((_, i) => `:after${i}`).join(', ');
    const params = Object.fromEntries(after.map((v, i) => [`after${i}`, v]));
    q.andWhere(`(${columns}) ${list.descending ? '<' : '>'} (${values})`, params);
  }
  const rows = await q.take(limit + 1).getMany();
  return toPage(
    rows,
    limit,
    (row) => list.key.map((k) => keyValue(row[k])),
    (row) => row,
  );
}

/** Cursor values are strings or numbers (bigint columns arrive as strings). */
const keyValue = (value: unknown): string | number =>
  typeof value === 'number' ? value : String(value);

/** The same page with its rows turned into views (in bulk: views often join other tables). */
export async function mapPage<R, T>(
  page: Page<R>,
  views: (rows: R[]) => T[] | Promise<T[]>,
): Promise<Page<T>> {
  return { items: await views(page.items), nextCursor: page.nextCursor };
}
