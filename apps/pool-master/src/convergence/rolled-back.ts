import { type NetworkHoldReport } from '@pool/contracts';
import { CommandError } from '../commands/command-errors.js';

/** A host held at an earlier version after its network watchdog rolled a change back. */
export interface HeldHost extends NetworkHoldReport {
  host: string;
}

/**
 * Whether `held` will not reach `version` by itself: it has read that version from the log and
 * still holds (the change did not supersede the one it refused). A later change to its uplinks
 * lifts the hold, so a hold seen before the host read `version` says nothing yet.
 */
export const holdsBelow = (held: HeldHost | undefined, version: number): held is HeldHost =>
  held !== undefined && held.followedVersion >= version && held.version < version;

/**
 * The answer of `?wait=hosts` when hosts rolled the change back: committed, and those hosts
 * hold their earlier switch (named with the versions and the watchdog's reason).
 */
export function rolledBackError(
  version: number,
  commandId: string,
  held: readonly HeldHost[],
): CommandError {
  const named = held
    .map(
      (h) => `${h.host} (rolled back version ${h.refusedVersion}, holds ${h.version}: ${h.reason})`,
    )
    .join('; ');
  return new CommandError(
    409,
    'HOST_NETWORK_ROLLED_BACK',
    `The command was committed at version ${version}, but ${held.length} host(s) rolled back a ` +
      `change that cut them off and hold an earlier version: ${named}. A later change to their ` +
      'uplinks or bonds (or `poolctl host reset-networking`) lifts the hold.',
    {
      version,
      commandId,
      rolledBack: held.map((h) => ({
        host: h.host,
        refusedVersion: h.refusedVersion,
        heldVersion: h.version,
        reason: h.reason,
        since: h.since,
      })),
    },
  );
}
