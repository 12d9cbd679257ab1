import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { ResolvedOvsOptions } from './ovs-options.js';
import { asOptionalNumber, asString, asStringMap, type Row } from './ovsdb-json.js';

/**
 * Whether an interface's device exists, from its Interface row: an OpenFlow port (-1 or none
 * while the device is absent when the port is added) and a kernel interface index (the
 * userspace datapath keeps a port's number when its device goes away, and sets ifindex 0).
 */
export const hasDevice = (iface: Row): boolean =>
  (asOptionalNumber(iface.ofport) ?? -1) > 0 && asOptionalNumber(iface.ifindex) !== 0;

/**
 * An interface was added or removed (`insert`, `delete`), or its device appeared (`plugged`
 * true) or went away, or its `iface-id` changed (`modify`).
 */
export interface DeviceChange {
  change: 'insert' | 'delete' | 'modify';
  name: string;
  plugged: boolean;
  ifaceId?: string;
}

const COLUMNS = ['name', 'ofport', 'ifindex', 'external_ids'] as const;

/**
 * Follows the Interface table's device columns with `ovsdb-client monitor`. OVSDB pushes each
 * change as it is committed, so a device is seen within milliseconds of ovs-vswitchd opening
 * it, with no polling; a drift pass would see it only at its next tick. The monitor is
 * restarted if it ends (ovsdb-server restarted); the returned function stops it.
 */
export function watchDevices(
  options: ResolvedOvsOptions,
  onChange: (change: DeviceChange) => void,
): () => void {
  let child: ChildProcess | undefined;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const start = () => {
    const rows = new DeviceRows();
    const args = ['monitor', `unix:${options.dbSocket}`, 'Open_vSwitch', 'Interface'];
    const current = spawn(options.ovsdbClient, [...args, COLUMNS.join(','), '--format=json'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    child = current;
    current.on('error', () => undefined); // no ovsdb-client: 'close' follows, and a retry
    createInterface({ input: current.stdout }).on('line', (line) => {
      for (const change of rows.update(line)) onChange(change);
    });
    current.on('close', () => {
      if (!stopped) (timer = setTimeout(start, 1000)).unref();
    });
  };
  start();
  return () => {
    stopped = true;
    clearTimeout(timer);
    child?.kill();
  };
}

/**
 * The monitored rows, from the updates of `ovsdb-client monitor --format=json`: rows as
 * [uuid, action, …columns], a modification as [uuid, "old", …] (changed columns only) followed
 * by ["", "new", …] (the whole row). Reports the rows whose device came or went.
 */
export class DeviceRows {
  private readonly rows = new Map<string, Row>();

  update(line: string): DeviceChange[] {
    let update: { headings?: string[]; data?: unknown[][] };
    try {
      update = JSON.parse(line) as typeof update;
    } catch {
      return [];
    }
    const headings = update.headings ?? [];
    const changes: DeviceChange[] = [];
    let modified: string | undefined;
    const ifaceId = (row: Row | undefined) => asStringMap(row?.external_ids).get('iface-id');
    const change = (kind: DeviceChange['change'], row: Row): DeviceChange => ({
      change: kind,
      name: asString(row.name),
      plugged: kind !== 'delete' && hasDevice(row),
      ...(ifaceId(row) ? { ifaceId: ifaceId(row) } : {}),
    });
    for (const data of update.data ?? []) {
      const row: Row = Object.fromEntries(headings.map((h, i) => [h, data[i]]));
      const uuid = String(row.row);
      if (row.action === 'delete') {
        changes.push(change('delete', this.rows.get(uuid) ?? row));
        this.rows.delete(uuid);
      } else if (row.action === 'old') modified = uuid;
      else if (row.action === 'new' && modified !== undefined) {
        const before = this.rows.get(modified);
        this.rows.set(modified, row);
        const moved =
          hasDevice(row) !== hasDevice(before ?? {}) || ifaceId(row) !== ifaceId(before);
        if (before && moved) changes.push(change('modify', row));
        modified = undefined;
      } else {
        this.rows.set(uuid, row);
        if (row.action === 'insert') changes.push(change('insert', row));
      }
    }
    return changes;
  }
}
