import { randomUUID } from 'node:crypto';
import { Replica, type ReplicaRow } from '../drivers/ovs/ovsdb/replica.js';
import {
  defaultDatum,
  isMapType,
  parseSchema,
  type ColumnType,
  type DbSchema,
} from '../drivers/ovs/ovsdb/schema.js';
import type { OvsdbOperation } from '../drivers/ovs/ovsdb/client.js';
import { VSWITCH_SCHEMA } from './vswitch-schema.js';
import {
  mapPairs,
  mutated as mutate,
  normalized as normalize,
  setMembers,
} from '../drivers/ovs/ovsdb/datum.js';

type Rows = Map<string, Map<string, ReplicaRow>>;

const members = setMembers;
const pairs = mapPairs;
const key = (value: unknown): string => JSON.stringify(value);

/**
 * Just enough of ovsdb-server for unit specs of the OVSDB client: it executes a transaction's
 * insert, update, mutate, delete and select operations (RFC 7047 §5.2) on tables of the
 * vswitch schema, resolves named-uuids, enforces the `name` indexes, and collects rows of
 * non-root tables no strong reference holds and drops dangling weak references at commit,
 * as the real server does (ovsdb/transaction.c). Its replica is what a monitor would show.
 */
export class MemoryOvsdb {
  readonly schema: DbSchema = parseSchema(VSWITCH_SCHEMA);
  private rows: Rows = new Map(
    [...this.schema.keys()].map((t) => [t, new Map<string, ReplicaRow>()]),
  );

  constructor() {
    this.transact([{ op: 'insert', table: 'Open_vSwitch', row: {} }]);
  }

  /** The tables as a monitor of every column would hold them. */
  replica(): Replica {
    const columns = new Map(
      [...this.schema].map(([table, { columns }]) => [table, [...columns.keys()]]),
    );
    const replica = new Replica(this.schema, columns);
    const updates = Object.fromEntries(
      [...this.rows].map(([table, rows]) => [
        table,
        Object.fromEntries([...rows].map(([uuid, row]) => [uuid, { new: row }])),
      ]),
    );
    replica.apply(updates);
    return replica;
  }

  /** Rows of `table` by name (or all), in OVSDB's JSON notation. */
  named(table: string, name: string): ReplicaRow | undefined {
    return [...this.rows.get(table)!.values()].find((row) => row.name === name);
  }

  all(table: string): ReplicaRow[] {
    return [...this.rows.get(table)!.values()];
  }

  transact(operations: readonly OvsdbOperation[]): unknown[] {
    const names = new Map<string, string>();
    for (const op of operations) {
      if (op.op === 'insert' && typeof op['uuid-name'] === 'string') {
        names.set(op['uuid-name'], randomUUID());
      }
    }
    const resolved = JSON.parse(JSON.stringify(operations), (_, value: unknown) => {
      if (Array.isArray(value) && value[0] === 'named-uuid') {
        const uuid = names.get(String(value[1]));
        if (!uuid) throw new Error(`named-uuid ${String(value[1])} is not inserted`);
        return ['uuid', uuid];
      }
      return value;
    }) as OvsdbOperation[];
    const working: Rows = new Map(
      [...this.rows].map(([t, rows]) => [t, new Map([...rows].map(([u, r]) => [u, { ...r }]))]),
    );
    const results = resolved.map((op, i) => this.execute(working, op, names, operations[i]!));
    this.commit(working);
    this.rows = working;
    return results;
  }

  private execute(rows: Rows, op: OvsdbOperation, names: Map<string, string>, raw: OvsdbOperation) {
    const table = rows.get(op.table ?? '');
    const types = this.schema.get(op.table ?? '')?.columns;
    if (!table || !types) throw new Error(`unknown table ${op.table}`);
    const matching = () => [...table.values()].filter((row) => matches(row, op.where));
    switch (op.op) {
      case 'insert': {
        const uuid =
          typeof raw['uuid-name'] === 'string' ? names.get(raw['uuid-name'])! : randomUUID();
        const row: ReplicaRow = { _uuid: ['uuid', uuid] };
        for (const [column, type] of types) row[column] = defaultDatum(type);
        for (const [column, value] of Object.entries(op.row as object)) {
          row[column] = normalize(value, types.get(column)!);
        }
        table.set(uuid, row);
        return { uuid: ['uuid', uuid] };
      }
      case 'update':
        for (const row of matching()) {
          for (const [column, value] of Object.entries(op.row as object)) {
            row[column] = normalize(value, types.get(column)!);
          }
        }
        return { count: matching().length };
      case 'mutate':
        for (const row of matching()) {
          for (const [column, mutator, value] of op.mutations as [string, string, unknown][]) {
            row[column] = mutate(row[column], mutator, value, types.get(column)!);
          }
        }
        return { count: matching().length };
      case 'delete': {
        const gone = matching();
        for (const row of gone) table.delete((row._uuid as [string, string])[1]);
        return { count: gone.length };
      }
      case 'select':
        return { rows: matching() };
      default:
        throw new Error(`unsupported op ${op.op}`);
    }
  }

  private commit(rows: Rows): void {
    for (;;) {
      const referenced = new Set<string>();
      for (const [tableName, table] of rows) {
        for (const row of table.values()) {
          for (const [column, type] of this.schema.get(tableName)!.columns) {
            for (const uuid of refs(row[column], type, 'strong')) referenced.add(uuid);
          }
        }
      }
      let collected = false;
      for (const [tableName, table] of rows) {
        if (this.schema.get(tableName)!.isRoot) continue;
        for (const uuid of [...table.keys()]) {
          if (!referenced.has(uuid)) {
            table.delete(uuid);
            collected = true;
          }
        }
      }
      if (!collected) break;
    }
    const exists = (uuid: string) => [...rows.values()].some((t) => t.has(uuid));
    for (const [tableName, table] of rows) {
      for (const row of table.values()) {
        for (const [column, type] of this.schema.get(tableName)!.columns) {
          const dangling = refs(row[column], type, 'any').filter((u) => !exists(u));
          if (dangling.length === 0) continue;
          if (type.key.refType !== 'weak')
            throw new Error(`${tableName}.${column} refers to a missing row`);
          const kept = members(row[column]).filter((m) => !dangling.includes((m as string[])[1]!));
          row[column] = normalize(['set', kept], type);
        }
      }
      const names = [...table.values()].map((row) => row.name).filter((n) => n !== undefined);
      if (
        ['Bridge', 'Port', 'Interface'].includes(tableName) &&
        new Set(names).size !== names.length
      ) {
        throw new Error(`${tableName}: duplicate name`);
      }
    }
  }
}

function matches(row: ReplicaRow, where: unknown): boolean {
  return ((where ?? []) as [string, string, unknown][]).every(
    ([column, , value]) => key(row[column]) === key(value),
  );
}

function refs(datum: unknown, type: ColumnType, which: 'strong' | 'any'): string[] {
  const isRef = (t: { type: string; refTable?: string; refType?: string } | undefined) =>
    t?.type === 'uuid' && !!t.refTable && (which === 'any' || t.refType !== 'weak');
  const uuids: unknown[] = [];
  if (isMapType(type)) {
    for (const [k, v] of pairs(datum)) {
      if (isRef(type.key)) uuids.push(k);
      if (isRef(type.value)) uuids.push(v);
    }
  } else if (isRef(type.key)) uuids.push(...members(datum));
  return uuids.map((u) => (u as string[])[1]!);
}
