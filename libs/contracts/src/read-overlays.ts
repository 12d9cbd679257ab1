/*
 * An overlay network's mesh as the projection's read API answers it (`/api/pools/:pool/switch`),
 * read by the dashboard: defined once here.
 */

/**
 * One host of an overlay network and its tunnels: the host carries the network (a port of it
 * is there, per the log) or reported tunnels on it. `wanted` is how many tunnels the log asks
 * of it (one to each other such host); `expected`, `applied` and `missing` are its last
 * report's (null: no report yet).
 */
export interface OverlayHostView {
  hostId: string;
  /** The host's tunnel endpoint address (null: it has none). */
  endpoint: string | null;
  wanted: number;
  expected: number | null;
  applied: number | null;
  missing: string[];
  reportedAt: string | null;
  /**
   * `up`: every tunnel the log wants is on its switch; `partial`: some are missing; `down`: none
   * is; `converging`: its report predates the mesh the log wants now; `unreported`: no report.
   */
  state: 'up' | 'partial' | 'down' | 'converging' | 'unreported';
}
