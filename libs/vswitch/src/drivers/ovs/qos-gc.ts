import type { Vsctl } from './vsctl.js';
import { EXT } from './ovsdb-commands.js';
import { asMap, asStringMap, asUuid, asUuids, type Row } from './ovsdb-json.js';

const uuidOf = (row: Row): string => asUuid(row._uuid) ?? '';
const owned = (row: Row): boolean => asStringMap(row.external_ids).has(EXT.qosOwner);

/**
 * QoS and Queue are OVSDB root tables: a row outlives the port that used it. After a batch that
 * replaced or dropped QoS, destroy poolnet's rows that no port refers to any more (and only
 * poolnet's: rows without its external_ids belong to someone else).
 */
export async function collectQosRows(vsctl: Vsctl): Promise<void> {
  const [ports = [], qos = [], queues = []] = await vsctl.list([
    ['Port', 'qos'],
    ['QoS', '_uuid,queues,external_ids'],
    ['Queue', '_uuid,external_ids'],
  ]);
  const used = new Set(ports.flatMap((port) => asUuids(port.qos)));
  const staleQos = qos.filter((row) => owned(row) && !used.has(uuidOf(row)));
  const liveQueues = new Set(
    qos
      .filter((row) => !staleQos.includes(row))
      .flatMap((row) => [...asMap(row.queues).values()].map(asUuid)),
  );
  const staleQueues = queues.filter((row) => owned(row) && !liveQueues.has(uuidOf(row)));
  await vsctl.transact([
    ...staleQos.map((row) => ['destroy', 'QoS', uuidOf(row)]),
    ...staleQueues.map((row) => ['destroy', 'Queue', uuidOf(row)]),
  ]);
}
