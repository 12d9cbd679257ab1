import type { HostView } from '@pool/contracts';
import { duration, secondsSince } from './format.js';

/**
 * How a host stands against the pool's log, the first thing an operator scans for (OVN's
 * `hv_cfg`, vDS host member state). `bad` is red on screen: behind, silent or never reported.
 */
export type Severity = 'ok' | 'warn' | 'bad';

export interface HostHealth {
  severity: Severity;
  label: string;
  /** Why, in a sentence, for the title and screen readers. */
  detail: string;
}

/** Member hosts report at least every 10 s by default; three missed reports is silence. */
export const SILENT_AFTER_S = 30;
/** Behind for this long is no longer "applying the last command". */
export const BEHIND_AFTER_S = 5;

export function hostHealth(host: HostView, now: number): HostHealth {
  const since = secondsSince(host.lastReportAt, now);
  const lag = host.lagEvents ?? 0;
  if (since === null) {
    return { severity: 'bad', label: 'no report', detail: 'has never reported an applied version' };
  }
  if (since > SILENT_AFTER_S) {
    return {
      severity: 'bad',
      label: 'silent',
      detail: `last report ${duration(since)} ago (expected at least every ${SILENT_AFTER_S / 3} s)`,
    };
  }
  if (lag > 0 && (host.lagSeconds ?? 0) >= BEHIND_AFTER_S) {
    return {
      severity: 'bad',
      label: `behind ${lag}`,
      detail: `${lag} event${lag === 1 ? '' : 's'} behind the log for ${duration(host.lagSeconds ?? 0)}`,
    };
  }
  if (lag > 0) {
    return { severity: 'warn', label: 'applying', detail: `applying the last ${lag} event(s)` };
  }
  if (host.drift > 0) {
    return {
      severity: 'warn',
      label: `drift ${host.drift}`,
      detail: `${host.drift} datapath object(s) differed from the desired state`,
    };
  }
  return { severity: 'ok', label: 'in sync', detail: 'applied the head of the log' };
}

/** The pool version a host must reach: its applied version plus its lag, else the pool's. */
export function headVersion(host: HostView, poolVersion: number | null): number | null {
  if (host.appliedVersion !== null && host.lagEvents !== null) {
    return host.appliedVersion + host.lagEvents;
  }
  return poolVersion;
}

/**
 * Hosts as they stand at `now`, from rows read at `readAt`: a host that was behind has been
 * behind for longer since, even when no event arrived to refetch them (a silent pool).
 */
export function agedHosts(hosts: HostView[], readAt: number, now: number): HostView[] {
  const elapsed = Math.max(0, (now - readAt) / 1000);
  if (elapsed === 0) return hosts;
  return hosts.map((host) =>
    (host.lagEvents ?? 0) > 0 && host.lagSeconds !== null
      ? { ...host, lagSeconds: host.lagSeconds + elapsed }
      : host,
  );
}
