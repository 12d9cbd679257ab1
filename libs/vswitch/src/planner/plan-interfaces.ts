import { sameValue } from '../model/canonical.js';
import {
  withoutLease,
  type HostActualState,
  type HostDesiredState,
  type HostInterface,
} from '../model/host-state.js';
import type { Operation } from './operation.js';

/**
 * The host's own interfaces, around the switch plan (plan.ts): `before` takes away those that
 * go or move (an internal port moving to another bridge, an address leaving a PIF), ahead of
 * the bridges that may go with them; `after` writes those that differ once their uplink bridges
 * exist. One whose uplink bridge this plan deletes or rebuilds is written again, since its port
 * went with the bridge. A move is therefore one plan: the old place is emptied and the new one
 * filled in the same apply.
 */
export function planInterfaces(
  desired: HostDesiredState,
  actual: HostActualState,
  switchOps: readonly Operation[],
): { before: Operation[]; after: Operation[] } {
  const want = new Map((desired.interfaces ?? []).map((i) => [i.name, i]));
  // A lease is the DHCP server's: only the configuration can differ.
  const have = new Map((actual.interfaces ?? []).map((i) => [i.name, withoutLease(i)]));
  const place = (i: HostInterface | undefined) => i && `${i.bridge ?? ''}/${i.device}`;
  const before: Operation[] = [];
  for (const iface of have.values()) {
    if (place(want.get(iface.name)) !== place(iface)) {
      before.push({ kind: 'deleteHostInterface', iface });
    }
  }
  const rebuilt = new Set(
    switchOps.flatMap((op) =>
      op.kind === 'deleteUplink' ? [op.bridge] : op.kind === 'setUplink' ? [op.uplink.bridge] : [],
    ),
  );
  const after: Operation[] = [];
  for (const iface of want.values()) {
    const current = have.get(iface.name);
    const lost = iface.bridge !== undefined && rebuilt.has(iface.bridge);
    if (lost || !sameValue(iface, current)) after.push({ kind: 'setHostInterface', iface });
  }
  return { before, after };
}
