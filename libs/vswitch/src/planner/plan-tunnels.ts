import { sameValue } from '../model/canonical.js';
import type { Bridge } from '../model/host-state.js';
import type { Operation } from './operation.js';

/**
 * The operation that makes a bridge's tunnel ports exactly the desired ones, or none when they
 * already are: a tunnel deleted or edited by hand reads back missing or different, and is
 * written again whole.
 */
export function planTunnels(desired: Bridge, actual: Bridge | undefined): Operation[] {
  const want = desired.tunnels ?? [];
  const have = actual?.tunnels ?? [];
  if (sameValue(want, have)) return [];
  const wanted = new Set(want.map((t) => t.name));
  const stale = have.filter((t) => !wanted.has(t.name)).map((t) => t.name);
  return [{ kind: 'setBridgeTunnels', bridge: desired.name, tunnels: want, stale }];
}
