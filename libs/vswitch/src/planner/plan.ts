import { sameValue } from '../model/canonical.js';
import {
  floodedAclPorts,
  type Bridge,
  type HostActualState,
  type HostDesiredState,
  type Port,
} from '../model/host-state.js';
import type { Operation } from './operation.js';
import { planPort, samePortIdentity } from './plan-ports.js';
import { planMirrorTunnels, planTunnels } from './plan-tunnels.js';
import { planInterfaces } from './plan-interfaces.js';

interface Located {
  bridge: Bridge;
  port: Port;
}

const portsByName = (bridges: Bridge[]): Map<string, Located> =>
  new Map(bridges.flatMap((bridge) => bridge.ports.map((port) => [port.name, { bridge, port }])));

/**
 * The smallest ordered list of operations that turns `actual` into `desired`; empty when they are
 * equal. Order: stale ports, stale bridges, stale uplinks, then uplinks, bridges, bridge uplinks,
 * tunnels, ports and finally mirror tunnels and mirrors (which point at ports). Port and bridge names share one namespace in
 * Open vSwitch, so everything that goes away goes before anything that may reuse its name.
 */
export function plan(desired: HostDesiredState, actual: HostActualState): Operation[] {
  const actualBridges = new Map(actual.bridges.map((b) => [b.name, b]));
  const desiredBridges = new Map(desired.bridges.map((b) => [b.name, b]));
  // A bridge kept under its name but for another network is rebuilt from scratch.
  const kept = (name: string): Bridge | undefined => {
    const [want, have] = [desiredBridges.get(name), actualBridges.get(name)];
    return want && have && want.networkId === have.networkId ? have : undefined;
  };
  const wantedPorts = portsByName(desired.bridges);
  const keptPort = (name: string, bridge: string): Port | undefined => {
    const have = kept(bridge)?.ports.find((p) => p.name === name);
    const want = wantedPorts.get(name);
    return have && want?.bridge.name === bridge && samePortIdentity(want.port, have)
      ? have
      : undefined;
  };

  const ops: Operation[] = [];
  for (const { bridge, port } of portsByName(actual.bridges).values()) {
    if (kept(bridge.name) && !keptPort(port.name, bridge.name)) {
      ops.push({ kind: 'deletePort', bridge: bridge.name, port: port.name });
    }
  }
  for (const bridge of actual.bridges) {
    if (!kept(bridge.name)) ops.push({ kind: 'deleteBridge', bridge: bridge.name });
  }

  const desiredUplinks = new Map(desired.uplinks.map((u) => [u.device, u]));
  const actualUplinks = new Map(actual.uplinks.map((u) => [u.device, u]));
  for (const uplink of actual.uplinks) {
    if (desiredUplinks.get(uplink.device)?.bridge !== uplink.bridge) {
      ops.push({ kind: 'deleteUplink', device: uplink.device, bridge: uplink.bridge });
    }
  }
  for (const uplink of desired.uplinks) {
    if (!sameValue(uplink, actualUplinks.get(uplink.device))) {
      ops.push({ kind: 'setUplink', uplink });
    }
  }

  for (const bridge of desired.bridges) {
    const have = kept(bridge.name);
    if (!have) {
      const { name, networkId, mtu } = bridge;
      ops.push({ kind: 'createBridge', bridge: name, networkId, mtu });
    } else if (have.mtu !== bridge.mtu) {
      ops.push({ kind: 'setBridgeMtu', bridge: bridge.name, mtu: bridge.mtu });
    }
  }
  // Drivers report an uplink only while both patch ports exist, so a lost uplink bridge shows up
  // here as a difference and is re-patched.
  for (const bridge of desired.bridges) {
    if (!sameValue(bridge.uplink, kept(bridge.name)?.uplink)) {
      ops.push({ kind: 'setBridgeUplink', bridge: bridge.name, uplink: bridge.uplink ?? null });
    }
  }

  for (const bridge of desired.bridges) ops.push(...planTunnels(bridge, kept(bridge.name)));

  const mirrors: Operation[] = [];
  for (const bridge of desired.bridges) {
    const before = ops.length;
    for (const port of bridge.ports) {
      ops.push(...planPort(bridge.name, port, keptPort(port.name, bridge.name)));
    }
    const added = ops.slice(before).some((op) => op.kind === 'addPort');
    // After the bridge's ports: the flood copies go to ports that forward with their ACLs,
    // once they can (a port waiting for its device has no delivery flows: a copy for it would
    // reach NORMAL and be flooded twice).
    const waiting = new Set(
      kept(bridge.name)
        ?.ports.filter((p) => p.plugged === false)
        .map((p) => p.name),
    );
    const ports = floodedAclPorts(bridge).filter((port) => !waiting.has(port));
    // A port reset after its device went may still be in the flood flows: it reads back as
    // not forwarding, but the flows were written while it did.
    const reset = new Set(
      ops.slice(before).flatMap((op) => (op.kind === 'resetPort' ? op.port : [])),
    );
    const previous = [
      ...new Set([
        ...floodedAclPorts(kept(bridge.name)),
        ...floodedAclPorts({ ports: bridge.ports.filter((p) => reset.has(p.name)) }),
      ]),
    ].sort();
    if (!sameValue(ports, previous) || (!kept(bridge.name) && ports.length > 0)) {
      ops.push({ kind: 'setBridgeFlood', bridge: bridge.name, ports, previous });
    }
    const tunnels = planMirrorTunnels(bridge, kept(bridge.name));
    mirrors.push(...tunnels);
    const have = kept(bridge.name)?.mirrors ?? [];
    // Re-adding a port drops it from the mirrors that selected it, so those are re-set too.
    const readded = added || tunnels.length > 0;
    if (!sameValue(bridge.mirrors, have) || (readded && bridge.mirrors.length > 0)) {
      mirrors.push({ kind: 'setMirrors', bridge: bridge.name, mirrors: bridge.mirrors });
    }
  }
  ops.push(...mirrors);
  const interfaces = planInterfaces(desired, actual, ops);
  return [...interfaces.before, ...ops, ...interfaces.after];
}
