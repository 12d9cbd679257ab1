// From the pool decider's state to the vSwitch model's input, and the per-host digest.
export { toTopology } from './to-topology.js';
export { hostTopology } from './host-topology.js';
export { HostDerivation } from './host-derivation.js';
export { hostDesiredState, hostDigest } from './host-digest.js';
export { mirrorStatus } from './mirror-peers.js';
