import type { PoolEvent, PoolState } from '@pool/domain';
import type { PoolTopology, TopologyHost } from '@pool/vswitch';
import { hostTopology } from './host-topology.js';
import { meshTouch } from './mesh-touch.js';
import { overlayRemotes } from './overlay-remotes.js';

/**
 * One host's topology, derived again after every event at the cost of what the event touched.
 * The overlay meshes are the part that grows with the pool (a tunnel to each of a thousand
 * other hosts); the rest follows the host's own ports. So the meshes are kept, per network,
 * from one derivation to the next, and only those an event may change (`meshTouch`) are found
 * again; an unchanged one is handed on as the same array, which the model, the planner and the
 * digest then skip by identity (libs/vswitch overlay.ts, canonical.ts).
 *
 * `topology(state)` equals `hostTopology(state, hostId)` as long as every event folded into
 * `state` since the last call was passed to `folded` (a property test holds it to that over
 * random event sequences); a different state object (a snapshot adopted, a replica reloaded)
 * starts afresh.
 */
export class HostDerivation {
  private state: PoolState | undefined;
  /** Per overlay network this host carried at the last derivation: its other carriers. */
  private meshes = new Map<string, readonly TopologyHost[]>();
  private stale: Set<string> | 'all' = 'all';

  constructor(readonly hostId: string) {}

  /** Call right after folding `event` into `state` (what it touches is looked up there). */
  folded(state: PoolState, event: PoolEvent): void {
    if (this.stale === 'all' || state !== this.state) return;
    const touched = meshTouch(state, event);
    if (touched === 'all') this.stale = 'all';
    else for (const networkId of touched) this.stale.add(networkId);
  }

  topology(state: PoolState): PoolTopology {
    const stale = state === this.state ? this.stale : 'all';
    const kept = this.meshes;
    const meshes = new Map<string, readonly TopologyHost[]>();
    const topology = hostTopology(state, this.hostId, (networkId) => {
      const old = stale === 'all' || stale.has(networkId) ? undefined : kept.get(networkId);
      const mesh = old ?? overlayRemotes(state, this.hostId, networkId);
      meshes.set(networkId, mesh);
      return mesh;
    });
    // Only the networks carried now: one carried again later is found afresh.
    this.meshes = meshes;
    this.state = state;
    this.stale = new Set();
    return topology;
  }
}
