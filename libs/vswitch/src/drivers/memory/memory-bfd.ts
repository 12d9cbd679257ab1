import type { TunnelPort } from '../../model/host-state.js';
import type { TunnelLiveness } from '../driver.js';

/**
 * The underlay as a memory datapath's BFD sees it: the in-process fabric (memory-fabric.ts) or
 * one shared by member-host processes (shared-underlay.ts).
 */
export interface MemoryUnderlay {
  /**
   * When `host`'s tunnel last heard its remote end (epoch ms), as BFD would: the remote host is
   * up, on the underlay, not cut off from `host`, and holds the tunnel back (same VNI, endpoints
   * swapped) that its BFD answers in. Undefined when it does not hear it now (or never did).
   */
  heardAt(host: string, tunnel: TunnelPort, now: number): number | undefined;
  /** What a host's BFD sends, as often as it sends: its tunnels now (a shared underlay's beat). */
  announce?(host: string, tunnels: readonly TunnelPort[], now: number): Promise<void>;
  /** Reads the other hosts' side before `heardAt` is asked (a shared underlay reads files). */
  refresh?(): Promise<void>;
}

/** Two hosts as one unordered pair (a cut between them goes both ways). */
export const pairKey = (a: string, b: string): string => (a < b ? `${a} ${b}` : `${b} ${a}`);

/** BFD's diagnostics (RFC 5880 §4.1) as ovs-vswitchd writes them into `bfd_status`. */
export const BFD_DIAGNOSTIC = {
  none: 'No Diagnostic',
  expired: 'Control Detection Time Expired',
} as const;

interface Session {
  /** The last time the remote end was heard; undefined: never. */
  heard: number | undefined;
  /** Whether the session was ever up: a session that falls says why, a new one does not. */
  wasUp: boolean;
}

/**
 * Each tunnel's BFD session on a memory datapath, as Open vSwitch keeps them (tunnel-ports.ts):
 * `down` until the remote end is heard, `up` from then on, and `down` again once nothing was
 * heard for the detect time (three intervals, OVS's multiplier), with the diagnostic ovs-vswitchd
 * gives. A tunnel replaced (new remote address or VNI) starts a new session.
 */
export class BfdSessions {
  private readonly sessions = new Map<string, Session>();

  constructor(
    /** The BFD interval, in ms; the detect time is three of them. */
    readonly intervalMs: number,
  ) {}

  get detectMs(): number {
    return 3 * this.intervalMs;
  }

  /** Each tunnel's liveness by port name, `heardAt` saying when its remote end was last heard. */
  read(
    tunnels: readonly TunnelPort[],
    heardAt: (tunnel: TunnelPort) => number | undefined,
    now: number,
  ): Map<string, TunnelLiveness> {
    const liveness = new Map<string, TunnelLiveness>();
    const kept = new Set<string>();
    for (const tunnel of tunnels) {
      const key = `${tunnel.name} ${tunnel.remoteIp} ${tunnel.vni}`;
      kept.add(key);
      const session = this.sessions.get(key) ?? { heard: undefined, wasUp: false };
      this.sessions.set(key, session);
      const heard = heardAt(tunnel);
      if (heard !== undefined && (session.heard === undefined || heard > session.heard)) {
        session.heard = heard;
      }
      const up = session.heard !== undefined && now - session.heard < this.detectMs;
      if (up) session.wasUp = true;
      liveness.set(tunnel.name, {
        state: up ? 'up' : 'down',
        diagnostic: !up && session.wasUp ? BFD_DIAGNOSTIC.expired : BFD_DIAGNOSTIC.none,
      });
    }
    for (const key of this.sessions.keys()) if (!kept.has(key)) this.sessions.delete(key);
    return liveness;
  }
}
