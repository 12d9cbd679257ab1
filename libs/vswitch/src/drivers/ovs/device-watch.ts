import type { OvsdbClient, RowChange } from './ovsdb/client.js';
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

/**
 * Follows the Interface table's device columns through the driver's OVSDB monitor
 * (ovsdb/client.ts). OVSDB pushes each change as it is committed, so a device is seen within
 * milliseconds of ovs-vswitchd opening it, with no polling; a drift pass would see it only at
 * its next tick. When ovsdb-server restarts, the client reconnects and reports what differs
 * in the rebuilt replica, so nothing that happened meanwhile is missed. The returned function
 * stops the watch.
 */
export function watchDevices(
  client: OvsdbClient,
  onChange: (change: DeviceChange) => void,
): () => void {
  return client.onChange((changes) => {
    for (const change of deviceChanges(changes)) onChange(change);
  });
}

const ifaceId = (row: Row | undefined) => asStringMap(row?.external_ids).get('iface-id');

/** The interfaces added or removed, and those whose device or iface-id changed. */
export function deviceChanges(changes: readonly RowChange[]): DeviceChange[] {
  const found: DeviceChange[] = [];
  const change = (kind: DeviceChange['change'], row: Row): DeviceChange => {
    const id = ifaceId(row);
    return {
      change: kind,
      name: asString(row.name),
      plugged: kind !== 'delete' && hasDevice(row),
      ...(id ? { ifaceId: id } : {}),
    };
  };
  for (const { table, old, new: row } of changes) {
    if (table !== 'Interface') continue;
    if (!row) {
      if (old) found.push(change('delete', old));
    } else if (!old) found.push(change('insert', row));
    else if (hasDevice(row) !== hasDevice(old) || ifaceId(row) !== ifaceId(old)) {
      found.push(change('modify', row));
    }
  }
  return found;
}
