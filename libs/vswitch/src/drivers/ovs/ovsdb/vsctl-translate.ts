import type { OvsdbOperation } from './client.js';
import { canonical, mapPairs, mutated, setMembers } from './datum.js';
import type { Replica, ReplicaRow } from './replica.js';
import { isMapType, type ColumnType, type DbSchema } from './schema.js';
import {
  parseAtom,
  parseDatum,
  parsePair,
  parseRemovals,
  splitOutsideQuotes,
  type Atom,
} from './values.js';

/*
 * The driver's ovs-vsctl commands (`--may-exist add-br`, `add-port`, `add-bond`, `del-port`,
 * `del-br`, `set`, `remove`, `clear`, `add`, `--id=@x create`, `--id=@x get`, `destroy`) as the
 * operations of one OVSDB transaction, with the meaning utilities/ovs-vsctl.c gives them:
 * names looked up in the replica as changed by the commands before, `--may-exist` and
 * `--if-exists` decided there, a port deleted with its interfaces, a bridge with its ports.
 * Rows the transaction creates are written whole in their `insert` (as the IDL does), rows
 * that exist are changed by `update` and by `mutate`, so a map key set or removed leaves the
 * map's other keys alone even if another client wrote them since the replica saw it. Rows of
 * non-root tables nothing refers to any more (a Mirror dropped from its bridge) are collected
 * by ovsdb-server at commit; root QoS and Queue rows are the driver's to destroy (qos-gc.ts).
 */

/** A row the commands name: one in the database, or one this transaction inserts. */
type Ref = { uuid: string } | { named: string };

interface NewRow {
  table: string;
  named: string;
  row: Record<string, unknown>;
}

const refJson = (ref: Ref): [string, string] =>
  'uuid' in ref ? ['uuid', ref.uuid] : ['named-uuid', ref.named];
const refKey = (ref: Ref): string => ('uuid' in ref ? ref.uuid : `@${ref.named}`);
const whereUuid = (uuid: string) => [['_uuid', '==', ['uuid', uuid]]];
const uuidOf = (row: ReplicaRow): string => (row._uuid as [string, string])[1];

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

export class VsctlTranslation {
  private readonly operations: OvsdbOperation[] = [];
  private readonly created = new Map<string, NewRow>();
  private readonly deleted = new Set<string>();
  /** Port → bridge, and interfaces of a port, as the commands so far changed them. */
  private readonly bridgeOfPort = new Map<string, Ref | null>();
  private readonly symbols = new Map<string, [string, string]>();
  private next = 0;

  constructor(
    private readonly replica: Replica,
    private readonly schema: DbSchema,
  ) {}

  /** Every command in order; throws with ovs-vsctl's meaning of an error (no such bridge…). */
  static operations(
    commands: readonly string[][],
    replica: Replica,
    schema: DbSchema,
  ): OvsdbOperation[] {
    const translation = new VsctlTranslation(replica, schema);
    for (const command of commands) translation.command(command);
    return translation.result();
  }

  result(): OvsdbOperation[] {
    // Inserts first: every later operation may name their rows, and a named-uuid is
    // resolved in any operation after its insert.
    const inserts = [...this.created.values()].map(({ table, named, row }) => ({
      op: 'insert',
      table,
      row,
      'uuid-name': named,
    }));
    return [...inserts, ...this.withoutNoOps(this.operations)];
  }

  /**
   * The operations less those on a column of an existing row that, all played in order, leave
   * it as the replica has it (a record written again with its value, a key removed and set back
   * the same): as the IDL drops writes of unchanged values, so that ovs-vsctl reports an
   * unchanged transaction and waits for no reconfiguration. Each update and mutate here names
   * one column of one row.
   */
  private withoutNoOps(operations: OvsdbOperation[]): OvsdbOperation[] {
    const column = (op: OvsdbOperation): string | undefined => {
      if (op.op === 'update') return Object.keys(op.row as object)[0];
      if (op.op === 'mutate') return (op.mutations as [string][])[0]?.[0];
      return undefined;
    };
    const target = (op: OvsdbOperation) => {
      const name = column(op);
      const uuid = (op.where as [string, string, [string, string]][])[0]![2][1];
      return name === undefined ? undefined : { key: `${op.table}/${uuid}/${name}`, uuid, name };
    };
    const values = new Map<string, { before: string; now: unknown }>();
    for (const op of operations) {
      const at = target(op);
      const type = at && this.schema.get(op.table!)?.columns.get(at.name);
      if (!at || !type) continue;
      const held = values.get(at.key) ?? {
        before: canonical(this.replica.row(op.table!, at.uuid)?.[at.name], type),
        now: this.replica.row(op.table!, at.uuid)?.[at.name],
      };
      if (op.op === 'update') held.now = (op.row as Record<string, unknown>)[at.name];
      else {
        for (const [, mutator, value] of op.mutations as [string, string, unknown][]) {
          held.now = mutated(held.now, mutator, value, type);
        }
      }
      values.set(at.key, held);
    }
    const unchanged = new Set(
      [...values]
        .filter(([key, { before, now }]) => {
          const [table = '', , name = ''] = key.split('/');
          const type = this.schema.get(table)?.columns.get(name);
          return type !== undefined && canonical(now, type) === before;
        })
        .map(([key]) => key),
    );
    return operations.filter((op) => {
      const at = target(op);
      return !at || !unchanged.has(at.key) || !this.replica.row(op.table!, at.uuid);
    });
  }

  command(words: readonly string[]): void {
    const flags = new Set<string>();
    let id: string | undefined;
    let i = 0;
    for (; i < words.length && words[i]!.startsWith('--'); i++) {
      const flag = words[i]!;
      if (flag.startsWith('--id=@')) id = flag.slice('--id=@'.length);
      else flags.add(flag);
    }
    const [name, ...args] = words.slice(i);
    const mayExist = flags.has('--may-exist');
    const ifExists = flags.has('--if-exists');
    switch (name) {
      case 'add-br':
        return this.addBridge(args[0]!, mayExist);
      case 'del-br':
        return this.deleteBridge(args[0]!, ifExists);
      case 'add-port':
        return this.addPort(args[0]!, args[1]!, [args[1]!], args.slice(2), mayExist);
      case 'add-bond': {
        const members = args.slice(2).filter((a) => !a.includes('='));
        const settings = args.slice(2).filter((a) => a.includes('='));
        return this.addPort(args[0]!, args[1]!, members, settings, mayExist);
      }
      case 'del-port':
        return args.length >= 2
          ? this.deletePort(args[1]!, ifExists, args[0])
          : this.deletePort(args[0]!, ifExists);
      case 'set':
        return this.onRecord(args, ifExists, (table, ref) => {
          for (const setting of args.slice(2)) this.set(table, ref, setting);
        });
      case 'remove':
        return this.onRecord(args, ifExists, (table, ref) =>
          this.remove(table, ref, args[2]!, args.slice(3)),
        );
      case 'clear':
        return this.onRecord(args, ifExists, (table, ref) => {
          for (const column of args.slice(2)) this.clear(table, ref, column);
        });
      case 'add':
        return this.onRecord(args, ifExists, (table, ref) =>
          this.add(table, ref, args[2]!, args.slice(3)),
        );
      case 'get': {
        if (!id || args.length !== 2) throw new Error(`unsupported get: ${words.join(' ')}`);
        return this.onRecord(args, ifExists, (_, ref) => {
          this.symbols.set(id, refJson(ref));
        });
      }
      case 'create': {
        const table = args[0]!;
        const ref = this.insert(table, {}, id);
        for (const setting of args.slice(1)) this.set(table, ref, setting);
        return;
      }
      case 'destroy':
        return this.onRecord(args, ifExists, (table, ref) => this.destroy(table, ref));
      default:
        throw new Error(`unsupported ovs-vsctl command: ${words.join(' ')}`);
    }
  }

  // --- records -------------------------------------------------------------------------------

  /** A record by name (Bridge, Port, Interface, Mirror), uuid, or `.` for Open_vSwitch's row. */
  find(table: string, record: string): Ref | undefined {
    for (const row of this.created.values()) {
      if (row.table === table && row.row.name === record) return { named: row.named };
    }
    const rows = this.replica.rows(table).filter((row) => !this.deleted.has(uuidOf(row)));
    const match =
      table === 'Open_vSwitch' && record === '.'
        ? rows[0]
        : rows.find((row) => uuidOf(row) === record.toLowerCase() || row.name === record);
    return match ? { uuid: uuidOf(match) } : undefined;
  }

  private onRecord(
    args: readonly string[],
    ifExists: boolean,
    act: (table: string, ref: Ref) => void,
  ): void {
    const [table = '', record = ''] = args;
    if (!this.schema.has(table)) throw new Error(`unknown table "${table}"`);
    const ref = this.find(table, record);
    if (ref) act(table, ref);
    else if (!ifExists) throw new Error(`no row "${record}" in table ${table}`);
  }

  private column(table: string, column: string): ColumnType {
    const type = this.schema.get(table)?.columns.get(column);
    if (!type) throw new Error(`table ${table} has no column "${column}"`);
    return type;
  }

  private readonly symbol = (name: string): [string, string] =>
    this.symbols.get(name) ?? ['named-uuid', name];

  private insert(table: string, row: Record<string, unknown>, named?: string): Ref {
    const name = named ?? `row${this.next++}`;
    this.created.set(name, { table, named: name, row });
    return { named: name };
  }

  /** `col=value` or `col:key=value`. */
  private set(table: string, ref: Ref, setting: string): void {
    const match = /^([^:=]+)(?::([^=]+))?=(.*)$/s.exec(setting);
    if (!match) throw new Error(`"${setting}" is not column=value or column:key=value`);
    const [, column = '', key, value = ''] = match;
    const type = this.column(table, column);
    if (key === undefined)
      return this.write(table, ref, column, parseDatum(value, type, this.symbol));
    if (!isMapType(type)) throw new Error(`column ${column} of ${table} is not a map`);
    const pair = parsePair(`${key}=${value}`, type, this.symbol);
    this.mapWrite(table, ref, column, [pair]);
  }

  private write(table: string, ref: Ref, column: string, datum: unknown): void {
    const created = 'named' in ref ? this.created.get(ref.named) : undefined;
    if (created) created.row[column] = datum;
    else this.update(table, ref, { [column]: datum });
  }

  private update(table: string, ref: Ref, row: Record<string, unknown>): void {
    this.operations.push({ op: 'update', table, where: whereUuid(refKey(ref)), row });
  }

  private mutate(table: string, ref: Ref, mutations: unknown[]): void {
    this.operations.push({ op: 'mutate', table, where: whereUuid(refKey(ref)), mutations });
  }

  /** Keys set in a map column: the other keys stay. */
  private mapWrite(table: string, ref: Ref, column: string, pairs: [Atom, Atom][]): void {
    const created = 'named' in ref ? this.created.get(ref.named) : undefined;
    if (created) {
      const kept = mapPairs(created.row[column]).filter(([k]) => !pairs.some(([n]) => same(k, n)));
      created.row[column] = ['map', [...kept, ...pairs]];
      return;
    }
    this.mutate(table, ref, [
      [column, 'delete', ['set', pairs.map(([k]) => k)]],
      [column, 'insert', ['map', pairs]],
    ]);
  }

  private remove(table: string, ref: Ref, column: string, values: readonly string[]): void {
    const type = this.column(table, column);
    const removals = parseRemovals(values, type, this.symbol);
    const created = 'named' in ref ? this.created.get(ref.named) : undefined;
    if (!created) return this.mutate(table, ref, [[column, 'delete', removals]]);
    const gone = removals[1] as unknown[];
    if (isMapType(type)) {
      // Keys, or key=value pairs (removed here by key: the row is this transaction's own).
      const keys = removals[0] === 'set' ? gone : (gone as [unknown, unknown][]).map(([k]) => k);
      created.row[column] = [
        'map',
        mapPairs(created.row[column]).filter(([k]) => !keys.some((g) => same(g, k))),
      ];
    } else {
      const members = setMembers(created.row[column]);
      created.row[column] = ['set', members.filter((m) => !gone.some((g) => same(g, m)))];
    }
  }

  private clear(table: string, ref: Ref, column: string): void {
    const type = this.column(table, column);
    this.write(table, ref, column, isMapType(type) ? ['map', []] : ['set', []]);
  }

  /** Members added to a set column (`add Bridge br mirrors @m`). */
  private add(table: string, ref: Ref, column: string, values: readonly string[]): void {
    const type = this.column(table, column);
    if (isMapType(type)) {
      const pairs = values.map((v) => parsePair(v, type, this.symbol));
      return this.mapWrite(table, ref, column, pairs);
    }
    const atoms = values.flatMap((v) =>
      splitOutsideQuotes(v, ',').map((a) => parseAtom(a, type.key, this.symbol)),
    );
    const created = 'named' in ref ? this.created.get(ref.named) : undefined;
    if (created) created.row[column] = ['set', [...setMembers(created.row[column]), ...atoms]];
    else this.mutate(table, ref, [[column, 'insert', ['set', atoms]]]);
  }

  private destroy(table: string, ref: Ref): void {
    if ('named' in ref) throw new Error(`cannot destroy a row created in the same transaction`);
    this.deleted.add(ref.uuid);
    this.operations.push({ op: 'delete', table, where: whereUuid(ref.uuid) });
  }

  // --- bridges and ports ------------------------------------------------------------------------

  private addBridge(name: string, mayExist: boolean): void {
    if (this.find('Bridge', name)) {
      if (mayExist) return;
      throw new Error(
        `cannot create a bridge named ${name} because a bridge named ${name} already exists`,
      );
    }
    const iface = this.insert('Interface', { name, type: 'internal' });
    const port = this.insert('Port', { name, interfaces: ['set', [refJson(iface)]] });
    const bridge = this.insert('Bridge', { name, ports: ['set', [refJson(port)]] });
    this.bridgeOfPort.set(refKey(port), bridge);
    const root = this.find('Open_vSwitch', '.');
    if (!root) throw new Error('database not initialized (no Open_vSwitch row)');
    this.mutate('Open_vSwitch', root, [['bridges', 'insert', ['set', [refJson(bridge)]]]]);
  }

  private deleteBridge(name: string, ifExists: boolean): void {
    const bridge = this.find('Bridge', name);
    if (!bridge) {
      if (ifExists) return;
      throw new Error(`no bridge named ${name}`);
    }
    if ('named' in bridge) throw new Error(`bridge ${name} was created in the same transaction`);
    const row = this.replica.row('Bridge', bridge.uuid);
    for (const port of setMembers(row?.ports)) this.dropPort((port as [string, string])[1]);
    const root = this.find('Open_vSwitch', '.');
    if (root)
      this.mutate('Open_vSwitch', root, [['bridges', 'delete', ['set', [refJson(bridge)]]]]);
    this.destroy('Bridge', bridge);
  }

  private addPort(
    bridgeName: string,
    name: string,
    members: readonly string[],
    settings: readonly string[],
    mayExist: boolean,
  ): void {
    const bridge = this.find('Bridge', bridgeName);
    if (!bridge) throw new Error(`no bridge named ${bridgeName}`);
    const existing = this.find('Port', name);
    if (existing) {
      const on = this.portBridge(existing);
      const onName = on && this.nameOf('Bridge', on);
      if (mayExist && on && refKey(on) === refKey(bridge)) return;
      throw new Error(
        mayExist
          ? `"--may-exist add-port ${bridgeName} ${name}" but ${name} is actually attached to bridge ${onName}`
          : `cannot create a port named ${name} because a port named ${name} already exists on bridge ${onName}`,
      );
    }
    const ifaces = members.map((member) => {
      if (this.find('Interface', member)) {
        throw new Error(`cannot create an interface named ${member} because it already exists`);
      }
      return this.insert('Interface', { name: member });
    });
    const port = this.insert('Port', { name, interfaces: ['set', ifaces.map(refJson)] });
    for (const setting of settings) this.set('Port', port, setting);
    this.bridgeOfPort.set(refKey(port), bridge);
    const created = 'named' in bridge ? this.created.get(bridge.named) : undefined;
    if (created) created.row.ports = ['set', [...setMembers(created.row.ports), refJson(port)]];
    else this.mutate('Bridge', bridge, [['ports', 'insert', ['set', [refJson(port)]]]]);
  }

  private deletePort(name: string, ifExists: boolean, bridgeName?: string): void {
    const port = this.find('Port', name);
    if (!port) {
      if (ifExists) return;
      throw new Error(`no port named ${name}`);
    }
    const bridge = this.portBridge(port);
    if (bridgeName !== undefined) {
      const wanted = this.find('Bridge', bridgeName);
      if (!wanted) throw new Error(`no bridge named ${bridgeName}`);
      if (!bridge || refKey(bridge) !== refKey(wanted)) {
        throw new Error(`bridge ${bridgeName} does not have a port ${name}`);
      }
    }
    if ('named' in port) throw new Error(`port ${name} was created in the same transaction`);
    if (bridge) {
      const created = 'named' in bridge ? this.created.get(bridge.named) : undefined;
      if (created) throw new Error(`port ${name} on a bridge created in the same transaction`);
      this.mutate('Bridge', bridge, [['ports', 'delete', ['set', [refJson(port)]]]]);
    }
    this.dropPort(port.uuid);
  }

  /** The Port row and its Interface rows (as ovs-vsctl's del_port deletes them). */
  private dropPort(uuid: string): void {
    const row = this.replica.row('Port', uuid);
    this.bridgeOfPort.set(uuid, null);
    for (const iface of setMembers(row?.interfaces)) {
      this.destroy('Interface', { uuid: (iface as [string, string])[1] });
    }
    this.destroy('Port', { uuid });
  }

  private portBridge(port: Ref): Ref | undefined {
    const known = this.bridgeOfPort.get(refKey(port));
    if (known !== undefined) return known ?? undefined;
    if ('named' in port) return undefined;
    const bridge = this.replica
      .rows('Bridge')
      .find((b) => setMembers(b.ports).some((p) => same(p, ['uuid', port.uuid])));
    return bridge ? { uuid: uuidOf(bridge) } : undefined;
  }

  private nameOf(table: string, ref: Ref): string {
    const row =
      'named' in ref ? this.created.get(ref.named)?.row : this.replica.row(table, ref.uuid);
    return typeof row?.name === 'string' ? row.name : refKey(ref);
  }
}
