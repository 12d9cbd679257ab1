import { sameValue } from '../model/canonical.js';
import type { Bridge } from '../model/host-state.js';
import type { Operation } from './operation.js';

/** The names of `have` that `want` no longer holds. */
const staleNames = (want: { name: string }[], have: { name: string }[]): string[] => {
  const wanted = new Set(want.map((t) => t.name));
  return have.filter((t) => !wanted.has(t.name)).map((t) => t.name);
};

/**
 * The operation that makes a bridge's tunnel ports exactly the desired ones, or none when they
 * already are: a tunnel deleted or edited by hand reads back missing or different, and is
 * written again whole.
 */
export function planTunnels(desired: Bridge, actual: Bridge | undefined): Operation[] {
  const [want, have] = [desired.tunnels ?? [], actual?.tunnels ?? []];
  if (sameValue(want, have)) return [];
  return [
    {
      kind: 'setBridgeTunnels',
      bridge: desired.name,
      tunnels: want,
      stale: staleNames(want, have),
    },
  ];
}

/**
 * The same for a bridge's mirror tunnels (GRE ports of cross-host mirrors). Planned after the
 * bridge's ports, whose monitor port a receiving tunnel delivers to, and before its mirrors,
 * which name a sending tunnel as their output.
 */
export function planMirrorTunnels(desired: Bridge, actual: Bridge | undefined): Operation[] {
  const [want, have] = [desired.mirrorTunnels ?? [], actual?.mirrorTunnels ?? []];
  if (sameValue(want, have)) return [];
  return [
    {
      kind: 'setMirrorTunnels',
      bridge: desired.name,
      tunnels: want,
      stale: staleNames(want, have),
    },
  ];
}
