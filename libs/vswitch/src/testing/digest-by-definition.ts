import { createHash } from 'node:crypto';
import { canonicalJson, normalizeState } from '../model/canonical.js';
import { withoutLease, type HostSwitchState } from '../model/host-state.js';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * `digest` as docs/design.md defines it (scheme v2), written out apart from canonical.ts and
 * with nothing remembered: what a test holds the digest, and its per-mesh caches, to.
 */
export function digestByDefinition(state: HostSwitchState): string {
  const normal = normalizeState(state);
  const bridges = normal.bridges.map((b) =>
    b.tunnels ? { ...b, tunnels: sha256(canonicalJson(b.tunnels)) } : b,
  );
  const interfaces = normal.interfaces?.map(withoutLease);
  return `v2:${sha256(canonicalJson({ ...normal, bridges, interfaces }))}`;
}
