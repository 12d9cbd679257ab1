/**
 * Test doubles and builders for code that drives a vSwitch (member host, e2e), in the manner of
 * Emmett's `testing/` exports. Nothing here touches a real switch.
 */
export { MemoryDatapath } from '../drivers/memory/memory-datapath.js';
export { MemoryVSwitchDriver, type FailureOptions } from '../drivers/memory/memory-driver.js';
export { topology, TopologyBuilder } from './topology-builder.js';
