export * from './model/topology.js';
export * from './model/host-state.js';
export { desiredState } from './model/desired-state.js';
export {
  canonicalJson,
  digest,
  DIGEST_SCHEME,
  digestScheme,
  normalizeState,
} from './model/canonical.js';
export {
  bridgeName,
  mirrorName,
  mirrorTunnelPortName,
  NameCollisionError,
  patchPortNames,
  portName,
  tunnelPortName,
  uplinkBridgeName,
} from './model/naming.js';
export { overlayCarriers } from './model/overlay.js';
export {
  mirrorStatuses,
  mirrorTunnelKey,
  type MirrorProblemCode,
  type MirrorRealisation,
} from './model/mirror-legs.js';
export { deviceBridged, touchesUplinks, uplinkShape } from './model/uplink-touch.js';
export * from './planner/operation.js';
export { plan } from './planner/plan.js';
export { reconcile, reconcileFully } from './reconcile.js';
export {
  DriverError,
  type DriftFinding,
  type PortCounters,
  type RuleCounters,
  type TunnelLiveness,
  type VSwitchDriver,
} from './drivers/driver.js';
export { OvsVSwitchDriver } from './drivers/ovs/ovs-driver.js';
export type { OvsDriverOptions } from './drivers/ovs/ovs-options.js';
// The in-memory datapath is a production driver too (tests, scale runs, the demo pool).
export { MemoryDatapath } from './drivers/memory/memory-datapath.js';
export {
  MemoryFabric,
  type Delivery,
  type OverlayFrame,
  type UnderlayPacket,
} from './drivers/memory/memory-fabric.js';
export {
  MemoryVSwitchDriver,
  type FailureOptions,
  type MemoryLivenessOptions,
} from './drivers/memory/memory-driver.js';
export { BFD_DIAGNOSTIC, type MemoryUnderlay } from './drivers/memory/memory-bfd.js';
export { SharedUnderlay } from './drivers/memory/shared-underlay.js';
export { ManagementPathModel } from './drivers/memory/management-path.js';
// Builders for tests and benches: `@pool/vswitch/testing` (testing/index.ts).
