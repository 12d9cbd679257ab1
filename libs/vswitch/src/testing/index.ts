/**
 * Builders for code that drives a vSwitch (tests, benches), in the manner of Emmett's `testing/`
 * exports: `@pool/vswitch/testing`, never loaded by production code. Nothing here touches a
 * real switch.
 */
export { topology, TopologyBuilder } from './topology-builder.js';
export { digestByDefinition } from './digest-by-definition.js';
