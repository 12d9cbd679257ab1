import type { PoolState } from '@pool/domain';
import { desiredState, digest, type HostDesiredState } from '@pool/vswitch';
import { hostTopology } from './host-topology.js';

/** The switches `hostId` should have for this pool state. */
export const hostDesiredState = (state: PoolState, hostId: string): HostDesiredState =>
  desiredState(hostTopology(state, hostId), hostId);

/**
 * What a member host reports as its digest at a version, and what anyone replaying the log to
 * that version computes: `digest(desiredState(toTopology(state), hostId))`.
 */
export const hostDigest = (state: PoolState, hostId: string): string =>
  digest(hostDesiredState(state, hostId));
