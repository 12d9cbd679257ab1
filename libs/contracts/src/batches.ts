import { type CommandSpec, type HistoryPoint, type NotPlannedObject } from './history.js';

/*
 * Several commands applied as one change (issue 22): decided in order, each against the state
 * the ones before it left, and written in one append with the expected version, or not at all.
 * The same shapes on REST (`POST /pools/:pool/changes`, `/revert`, `/import`), NATS (the data
 * of `ApplyChanges`, `RevertPool`, `ImportPool` on the command subject) and gRPC (`Execute`
 * with those types, the data as `data_json`).
 */

/** The batch types, beside the domain's command types on NATS and gRPC. */
export const BATCH_TYPES = ['ApplyChanges', 'RevertPool', 'ImportPool'] as const;
export type BatchType = (typeof BATCH_TYPES)[number];
export const isBatchType = (type: string): type is BatchType =>
  (BATCH_TYPES as readonly string[]).includes(type);

/** The most commands one batch takes. */
export const MAX_BATCH_COMMANDS = 5000;

/** `ApplyChanges`: any commands, applied as one change if the pool is at `expectedVersion`. */
export interface ApplyChangesRequest {
  expectedVersion: number;
  commands: CommandSpec[];
}

/**
 * `RevertPool`: back to the configuration at `toVersion` (a version or a time) from the one at
 * `expectedVersion`, which must be the head when it is applied. Without `commands` the master
 * applies its own plan (what the dry run showed at that version); with them, those (an edited
 * plan), still recorded as the revert.
 */
export interface RevertRequest {
  toVersion: HistoryPoint | number;
  expectedVersion: number;
  commands?: CommandSpec[];
}

/**
 * `ImportPool`: an export's commands into a pool that does not exist yet (its CreatePool then
 * takes the target's id, and `name` if given) or holds nothing but its creation (its CreatePool
 * is then left out). `expectedVersion`, if given, must be the pool's version (0: none yet).
 */
export interface ImportRequest {
  commands: CommandSpec[];
  name?: string;
  expectedVersion?: number;
}

/** What a batch adds to a command's outcome. */
export interface BatchSummary {
  type: BatchType;
  /** The commands applied, in order (a revert's plan, an import's list as applied). */
  commands: number;
  /** RevertPool: the versions it went from and back to. */
  revert?: { from: number; to: number };
  /** RevertPool: what its commands did not bring back, with the reason (the dry run's list). */
  notReverted?: NotPlannedObject[];
}
