import type { DiffObjectChange } from './history.js';

/*
 * The pool's log as the console reads it (issue 22, the console's history view): served by the
 * projection beside the rest of its read API, read from the same event log the master writes.
 */

/** `GET /api/pools/:pool/history`: one event of the log, newest first. */
export interface HistoryEntryView {
  version: number;
  type: string;
  /** Who the transport vouched for (`anonymous` without tokens), as the log recorded it. */
  actor: string | null;
  recordedAt: string;
  /** The objects it names, as `kind/id` (`vms/web-1`, `networks/prod`). */
  objects: string[];
}

/** `GET /api/pools/:pool/history/:version`: one event, its data and the change it made. */
export interface HistoryEventView extends HistoryEntryView {
  data: unknown;
  /** The configuration's difference from the version before to this one. */
  changes: DiffObjectChange[];
}
