/*
 * The pool log's identity (issue 18): a random id the event log gets when it is created. A
 * database restored from a backup keeps it (the same log, maybe behind); a database made anew
 * gets another one (another log, whatever its versions). The relay stamps it on every event
 * message and the master's snapshot reply carries it (`PoolSnapshotReply.logId`), so a member
 * host can tell another log from its own even when the new log has grown past its version.
 */

/** The header of every event message on `<root>.<pool>.events` that names the log. */
export const LOG_ID_HEADER = 'Poolnet-Log-Id';
