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
  /**
   * The remote hosts whose tunnel is on its switch but does not answer its liveness check
   * (BFD): the remote end is gone, lacks its tunnel back, or the underlay does not carry it.
   */
  unreachable: string[];
  reportedAt: string | null;
  /**
   * `up`: every tunnel the log wants is on its switch and none fails its liveness check;
   * `partial`: some are missing; `down`: none is; `unreachable`: all are there but some remote
   * ends do not answer; `converging`: its report predates the mesh the log wants now;
   * `unreported`: no report.
   */
  state: 'up' | 'partial' | 'down' | 'unreachable' | 'converging' | 'unreported';
}

/**
 * One host's underlay under an overlay network, as the read API answers it (`networks`,
 * `networks/:network`, `switch`), read by poolctl: every host with a tunnel endpoint, each of
 * which carries the network as soon as a VM of it runs or migrates there, and whose endpoint
 * PIF the decider holds the overlay's MTU to (OVERLAY_MTU_TOO_LARGE).
 */
export interface OverlayUnderlayView {
  hostId: string;
  /** The endpoint PIF and address its tunnels leave from (SetTunnelEndpoint). */
  device: string;
  address: string;
  /** The endpoint PIF's MTU. */
  underlayMtu: number;
  /** What VXLAN adds to each overlay frame over this address: 50 over IPv4, 70 over IPv6. */
  overhead: number;
  /** underlayMtu − overhead − the overlay's MTU: how much larger the overlay's MTU could be. */
  headroom: number;
}
