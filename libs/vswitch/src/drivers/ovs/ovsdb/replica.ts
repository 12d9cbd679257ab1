import { defaultDatum, type DbSchema } from './schema.js';

/** A row in OVSDB's JSON notation, with `_uuid` as ["uuid", u] (as `ovs-vsctl list` prints it). */
export type ReplicaRow = Record<string, unknown>;

/** One row that changed: `old` absent for an insert, `new` absent for a delete. */
export interface RowChange {
  table: string;
  uuid: string;
  old?: ReplicaRow;
  new?: ReplicaRow;
}

type TableUpdates = Record<string, Record<string, { old?: ReplicaRow; new?: ReplicaRow }>>;

/**
 * The monitored tables as the server holds them, kept current from the `monitor` reply
 * (the initial rows) and its `update` notifications (RFC 7047 §4.1.5-4.1.6). A modification's
 * `new` is merged over the row, so it holds whether the server sends every monitored column
 * or only those that changed; an inserted row's missing columns read as their defaults.
 */
export class Replica {
  private readonly tables = new Map<string, Map<string, ReplicaRow>>();

  constructor(
    private readonly schema: DbSchema,
    private readonly columns: ReadonlyMap<string, readonly string[]>,
  ) {
    for (const table of columns.keys()) this.tables.set(table, new Map());
  }

  rows(table: string): ReplicaRow[] {
    return [...(this.tables.get(table)?.values() ?? [])];
  }

  row(table: string, uuid: string): ReplicaRow | undefined {
    return this.tables.get(table)?.get(uuid);
  }

  /** The columns monitored for `table` (reading any other would read nothing). */
  monitored(table: string): readonly string[] {
    return this.columns.get(table) ?? [];
  }

  apply(updates: unknown): RowChange[] {
    const changes: RowChange[] = [];
    for (const [table, rows] of Object.entries((updates ?? {}) as TableUpdates)) {
      const held = this.tables.get(table);
      if (!held) continue;
      for (const [uuid, update] of Object.entries(rows)) {
        const old = held.get(uuid);
        if (!update.new) {
          held.delete(uuid);
          if (old) changes.push({ table, uuid, old });
          continue;
        }
        const row = { ...(old ?? this.defaults(table)), ...update.new, _uuid: ['uuid', uuid] };
        held.set(uuid, row);
        changes.push({ table, uuid, ...(old ? { old } : {}), new: row });
      }
    }
    return changes;
  }

  /** What changed from `before` to this replica, row by row (after a reconnection's rebuild). */
  changesSince(before: Replica): RowChange[] {
    const changes: RowChange[] = [];
    for (const [table, rows] of this.tables) {
      const previous = before.tables.get(table) ?? new Map<string, ReplicaRow>();
      for (const [uuid, row] of rows) {
        const old = previous.get(uuid);
        if (!old || JSON.stringify(old) !== JSON.stringify(row)) {
          changes.push({ table, uuid, ...(old ? { old } : {}), new: row });
        }
      }
      for (const [uuid, old] of previous) {
        if (!rows.has(uuid)) changes.push({ table, uuid, old });
      }
    }
    return changes;
  }

  private defaults(table: string): ReplicaRow {
    const types = this.schema.get(table)?.columns;
    return Object.fromEntries(
      this.monitored(table).flatMap((column) => {
        const type = types?.get(column);
        return type ? [[column, defaultDatum(type)]] : [];
      }),
    );
  }
}
