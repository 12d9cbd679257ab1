import { hasDevice } from './device-watch.js';
import { asOptionalNumber, asUuids, type Row } from './ovsdb-json.js';
import type { OvsdbClient } from './ovsdb/client.js';
import { VsctlTranslation } from './ovsdb/vsctl-translate.js';

/**
 * The driver's OVSDB access, over one long-lived JSON-RPC connection (ovsdb/client.ts) rather
 * than an ovs-vsctl process per call: reads come from the monitored replica, and the driver's
 * ovs-vsctl command vocabulary is translated into one transaction's operations
 * (ovsdb/vsctl-translate.ts), so the command builders and their specs stay as they are.
 * No OVSDB command-line tool runs in the driver any more; the int-specs' lab still uses
 * ovs-vsctl, as an observer independent of this client.
 */
export class Vsctl {
  constructor(readonly client: OvsdbClient) {}

  /**
   * All commands in one OVSDB transaction. With `wait` (the default) it resolves once
   * ovs-vswitchd has applied it, as ovs-vsctl does (utilities/ovs-vsctl.c): the transaction
   * increments Open_vSwitch:next_cfg, and ovs-vswitchd sets cur_cfg to it once it has
   * reconfigured, which the monitor shows. So OpenFlow sees the new ports right after; with
   * `wait: false` it resolves once the database has it (a later waiting call covers it:
   * ovs-vswitchd applies the database as a whole). Commands that change nothing (a
   * `--may-exist add-br` of a bridge that exists) send nothing and wait for nothing.
   */
  async transact(commands: readonly string[][], { wait = true } = {}): Promise<void> {
    if (commands.length === 0) return;
    const replica = await this.client.ready();
    const operations = VsctlTranslation.operations(commands, replica, this.client.schema);
    if (operations.length === 0) return;
    if (wait) {
      const root = [['_uuid', '==', replica.rows('Open_vSwitch')[0]?._uuid]];
      operations.push(
        { op: 'mutate', table: 'Open_vSwitch', where: root, mutations: [['next_cfg', '+=', 1]] },
        { op: 'select', table: 'Open_vSwitch', where: root, columns: ['next_cfg'] },
      );
    }
    const results = await this.client.transact(operations);
    if (!wait) return;
    const selected = results[operations.length - 1] as { rows?: { next_cfg?: number }[] };
    const next = selected.rows?.[0]?.next_cfg ?? 0;
    await this.client.until(
      (held) => Number(held.rows('Open_vSwitch')[0]?.cur_cfg ?? 0) >= next,
      `ovs-vswitchd to apply configuration ${next}`,
    );
  }

  /**
   * Rows of one table read from the server itself, for columns the replica does not monitor
   * (status columns ovs-vswitchd rewrites on its own, such as `bfd_status`): one `select`.
   */
  async select(table: string, columns: readonly string[]): Promise<Row[]> {
    const [result] = await this.client.transact([{ op: 'select', table, where: [], columns }]);
    return (result as { rows?: Row[] }).rows ?? [];
  }

  /** Rows of several tables from the replica; `tables` maps a table to the columns to read. */
  async list(tables: readonly [table: string, columns: string][]): Promise<Row[][]> {
    const replica = await this.client.ready();
    return tables.map(([table, columns]) => {
      const wanted = columns.split(',');
      const monitored = new Set(['_uuid', ...replica.monitored(table)]);
      const missing = wanted.filter((column) => !monitored.has(column));
      if (missing.length > 0) throw new Error(`${table}: ${missing.join(',')} not monitored`);
      return replica
        .rows(table)
        .map((row) => Object.fromEntries(wanted.map((column) => [column, row[column]])));
    });
  }

  /** OpenFlow port numbers by interface; ports whose device is absent are left out. */
  async ofports(): Promise<Map<string, number>> {
    const replica = await this.client.ready();
    const ofports = new Map<string, number>();
    for (const row of replica.rows('Interface')) numbered(row, ofports);
    return ofports;
  }

  /**
   * OpenFlow port numbers of one bridge's interfaces, from the replica: no round trip. After a
   * waiting `transact` they are the switch's own, since ovs-vswitchd writes `ofport` in the
   * transaction that raises `cur_cfg`. Interfaces whose device is absent are left out. Read in
   * place, from the bridge's row through its ports: every bundle asks, and copying every
   * Bridge, Port and Interface row for it cost O(switch) per change.
   */
  async ofportsOn(bridge: string): Promise<Map<string, number>> {
    const replica = await this.client.ready();
    const ofports = new Map<string, number>();
    const row = replica.rows('Bridge').find((b) => b.name === bridge);
    for (const port of asUuids(row?.ports)) {
      for (const iface of asUuids(replica.row('Port', port)?.interfaces)) {
        const found = replica.row('Interface', iface);
        if (found) numbered(found, ofports);
      }
    }
    return ofports;
  }
}

/** Adds the interface's OpenFlow port number to `ofports`, when its device is there. */
function numbered(row: Row, ofports: Map<string, number>): void {
  const ofport = asOptionalNumber(row.ofport);
  if (typeof row.name === 'string' && ofport !== undefined && hasDevice(row)) {
    ofports.set(row.name, ofport);
  }
}

/** The tables the driver reads and writes, kept in the client's replica. */
export const DRIVER_TABLES = [
  'Open_vSwitch',
  'Bridge',
  'Port',
  'Interface',
  'Mirror',
  'QoS',
  'Queue',
] as const;
