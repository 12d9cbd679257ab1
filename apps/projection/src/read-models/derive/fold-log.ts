import { poolIdOfStream } from '@pool/contracts';
import { upcastPoolEvent } from '@pool/domain';
import type { RecordedEvent } from '@pool/event-store';
import type { LogRows, LogTableName } from '../read-model-tables.js';
import { deriveGroup } from './derive-rows.js';
import { PoolFold } from './pool-fold.js';

/** Folds events (in commit order) into one PoolFold per pool. */
export function foldEvents(events: Iterable<RecordedEvent>, folds = new Map<string, PoolFold>()) {
  for (const event of events) {
    const poolId = poolIdOfStream(event.streamId);
    if (poolId === undefined) continue;
    let fold = folds.get(poolId);
    if (!fold) folds.set(poolId, (fold = new PoolFold(poolId)));
    fold.apply(upcastPoolEvent(event), event.streamVersion, event.createdAt);
  }
  return folds;
}

/** Every row the read models hold for these pools, by table: what a fresh rebuild writes. */
export function deriveAllRows(folds: Iterable<PoolFold>): { [T in LogTableName]: LogRows[T][] } {
  const all = {} as { [T in LogTableName]: LogRows[T][] };
  for (const fold of folds) {
    for (const group of fold.allGroups()) {
      const rows = deriveGroup(fold, group);
      for (const table of Object.keys(rows) as LogTableName[]) {
        const list = (all[table] ??= []) as object[];
        list.push(...(rows[table] as object[]));
      }
    }
  }
  return all;
}
