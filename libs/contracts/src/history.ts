/**
 * The pool at any version and what changed between two (issue 22): the same shapes on REST
 * (`GET /pools/:pool/state`, `GET /pools/:pool/diff`), NATS (`<root>.<pool>.history.state`,
 * `.history.diff`) and gRPC (`StateAt`, `Diff`, as JSON).
 */

/**
 * A point in a pool's history: a version (`"120"`) or a time (ISO-8601 with a zone,
 * `2026-12-01T10:00Z`, or a date, read as midnight UTC). A time means the last version
 * recorded at or before it.
 */
export type HistoryPoint = string;

/** What `state` is asked: one of `version` and `at`, neither meaning the head. */
export interface StateAtQuery {
  version?: HistoryPoint;
  at?: HistoryPoint;
}

export interface DiffQuery {
  from: HistoryPoint;
  /** Default: the head. */
  to?: HistoryPoint;
}

export interface PoolStateAt {
  pool: string;
  /** The version the state is at. */
  version: number;
  /** The pool's version now. */
  head: number;
  /** When the event at `version` was recorded (null at version 0). */
  recordedAt: string | null;
  /** The snapshot format of `state` (`pool-state/N`). */
  stateVersion: string;
  /** The configuration: the pool's objects as the snapshot format holds them. */
  state: unknown;
  /** How it was loaded: the snapshot it started from (0: none) and the events folded on it. */
  loadedFrom: { snapshotVersion: number; eventsFolded: number };
}

/** One event that touched an object between the two versions of a diff. */
export interface DiffEventRef {
  version: number;
  type: string;
  /** Who the transport vouched for (`anonymous` without tokens), as the log recorded it. */
  actor: string | null;
  recordedAt: string;
}

export interface DiffFieldChange {
  /** Dotted path into the object, e.g. `name`, `pifs.eth1.mtu`. */
  field: string;
  /** Absent when the field did not exist at `from`. */
  from?: unknown;
  /** Absent when the field no longer exists at `to`. */
  to?: unknown;
}

export interface DiffObjectChange {
  /** `pool`, `hosts`, `bonds`, `networks`, `vms`, `vifs`, `aclRules`, `mirrors`, … */
  kind: string;
  id: string;
  change: 'added' | 'changed' | 'removed';
  fields: DiffFieldChange[];
  /**
   * The latest events between the two versions that name the object, oldest first: at most
   * `DIFF_EVENTS_PER_OBJECT`, so a diff across a long log stays small.
   */
  events: DiffEventRef[];
  /** How many events named it in all: `eventCount - events.length` more are not listed. */
  eventCount: number;
}

export interface PoolDiff {
  pool: string;
  from: number;
  to: number;
  objects: DiffObjectChange[];
}

/**
 * The events a diff lists per object (the latest); `eventCount` says how many there were in
 * all. Small on purpose: a diff across a whole log of 1,000,000 events changes tens of
 * thousands of objects, each named by dozens of events.
 */
export const DIFF_EVENTS_PER_OBJECT = 5;

/** A command as the master takes it: its type and data (REST body, NATS `data`). */
export interface CommandSpec {
  type: string;
  data: unknown;
}

/** What a list of commands leaves as it is, and why. */
export interface NotPlannedObject {
  kind: string;
  id: string;
  reason: string;
}

/** `GET /pools/:pool/export`: the pool's configuration at a version as commands. */
export interface PoolExport {
  pool: string;
  version: number;
  /** In order, they build the configuration in an empty pool (CreatePool first). */
  commands: CommandSpec[];
  /** Runtime state left out: where VMs run, migrations in flight. */
  notExported: NotPlannedObject[];
}

/** `GET /pools/:pool/revert?to=N`: the dry run of a revert, nothing applied. */
export interface RevertPlan {
  pool: string;
  /** The version the plan was computed at (the head then): send with it as expected version. */
  from: number;
  to: number;
  commands: CommandSpec[];
  /** What the commands cannot bring back, with the reason: the operator decides. */
  notReverted: NotPlannedObject[];
}
