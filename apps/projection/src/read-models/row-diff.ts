import type { GroupRows } from './derive/derive-rows.js';
import type { GroupKey } from './derive/pool-fold.js';
import { LOG_TABLES, rowKey, type ChangeKind, type LogTableName } from './read-model-tables.js';

interface WrittenRow {
  table: LogTableName;
  row: object;
  json: string;
}

/** A group's rows as last written, by `table + key`. */
type WrittenGroup = Map<string, WrittenRow>;

/** What one batch writes: rows to upsert and to delete per table, and what changed per pool. */
export class ChangeSet {
  readonly upserts = new Map<LogTableName, object[]>();
  readonly deletes = new Map<LogTableName, object[]>();
  /** pool → kinds of rows that changed, for the stream's `change` events. */
  readonly kinds = new Map<string, Set<ChangeKind>>();
  /** Applied to the cache once the batch has committed. */
  readonly written: [poolId: string, group: GroupKey, rows: WrittenGroup][] = [];

  get rowCount(): number {
    let count = 0;
    for (const rows of [...this.upserts.values(), ...this.deletes.values()]) count += rows.length;
    return count;
  }

  upsert(poolId: string, table: LogTableName, row: object): void {
    push(this.upserts, table, row);
    this.touch(poolId, table);
  }

  delete(poolId: string, table: LogTableName, row: object): void {
    push(this.deletes, table, row);
    this.touch(poolId, table);
  }

  private touch(poolId: string, table: LogTableName): void {
    let kinds = this.kinds.get(poolId);
    if (!kinds) this.kinds.set(poolId, (kinds = new Set()));
    kinds.add(LOG_TABLES[table].kind);
  }
}

/**
 * The rows the projector last wrote, per pool and group, so a batch writes only the rows that
 * changed: each touched group is derived again and compared with what it wrote before.
 */
export class RowCache {
  private readonly pools = new Map<string, Map<GroupKey, WrittenGroup>>();

  /** Adds to `changes` the writes that turn the group's old rows into `rows`. */
  diff(poolId: string, group: GroupKey, rows: GroupRows, changes: ChangeSet): void {
    const before = this.pools.get(poolId)?.get(group);
    const after: WrittenGroup = new Map();
    for (const table of Object.keys(rows) as LogTableName[]) {
      const spec = LOG_TABLES[table];
      for (const row of rows[table] ?? []) {
        const key = `${table}\u0000${rowKey(spec, row)}`;
        const json = JSON.stringify(row);
        after.set(key, { table, row, json });
        if (before?.get(key)?.json !== json) changes.upsert(poolId, table, row);
      }
    }
    for (const [key, old] of before ?? []) {
      if (!after.has(key)) changes.delete(poolId, old.table, old.row);
    }
    changes.written.push([poolId, group, after]);
  }

  /** Records what a committed batch wrote. */
  commit(changes: ChangeSet): void {
    for (const [poolId, group, rows] of changes.written) {
      let groups = this.pools.get(poolId);
      if (!groups) this.pools.set(poolId, (groups = new Map<GroupKey, WrittenGroup>()));
      if (rows.size === 0) groups.delete(group);
      else groups.set(group, rows);
    }
  }

  clear(): void {
    this.pools.clear();
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
