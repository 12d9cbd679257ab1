/**
 * Whether a mirror copies what it should right now, from the log alone (DESIGN §1, mirrors):
 * `active` every forwarding source is copied to the monitor, `partial` some are, `inactive`
 * none. Each problem says why a part is not realised, with a code (MONITOR_HALTED,
 * MONITOR_NOT_FORWARDING, MONITOR_MISSING, NO_SOURCE, NO_TUNNEL_ENDPOINT,
 * SOURCE_ON_OTHER_NETWORK) and a sentence. The read API, the dashboard, `poolctl mirror list`
 * and the member hosts' reports all show this one shape.
 */
export interface MirrorStatus {
  state: 'active' | 'partial' | 'inactive';
  /** The host whose port of the monitor VIF receives the copies; null while it has none. */
  monitorHost: string | null;
  problems: MirrorStatusProblem[];
}

export interface MirrorStatusProblem {
  code: string;
  message: string;
  /** The host the problem is on, when it is one host's. */
  host?: string;
}
