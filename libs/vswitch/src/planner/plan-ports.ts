import { sameValue } from '../model/canonical.js';
import { hasAclPipeline, type Port } from '../model/host-state.js';
import type { Operation, PortAcls, PortAddress } from './operation.js';

/** What `addPort` leaves behind: a port that exists and does nothing yet. */
export const freshPort = (port: Pick<Port, 'name' | 'vifId' | 'vmId'>): Port => ({
  name: port.name,
  vifId: port.vifId,
  vmId: port.vmId,
  mac: '',
  portSecurity: false,
  forwarding: false,
  acls: [],
});

/** The same port in the switch's eyes: a different VIF or VM behind the name means a new port. */
export const samePortIdentity = (a: Port, b: Port): boolean =>
  a.vifId === b.vifId && a.vmId === b.vmId;

const addressOf = ({ mac, ipv4, ipv6, extraIps, allowedPairs }: Port): PortAddress => ({
  mac,
  ipv4,
  ipv6,
  extraIps,
  allowedPairs,
});

/** What the port's ACL flows were written from, as the switch read back holds them. */
const previousAcls = ({ mac, acls, aclDefault }: Port): PortAcls => ({
  mac,
  acls,
  ...(aclDefault ? { aclDefault } : {}),
});

/**
 * Operations turning `actual` into `desired` for one port (`actual` undefined: a new port).
 * Order is make-before-break: a port that should stop forwarding stops first; one that should
 * forward starts last, once its address, QoS, security and ACLs are in place, and then announces
 * the VIF's addresses from its new place.
 */
export function planPort(bridge: string, desired: Port, actual: Port | undefined): Operation[] {
  const port = desired.name;
  // A port whose device is absent holds what the host applied in its records; everything else
  // needs the device, and is written when it appears (the next pass sees a plugged port
  // without its flows). Nothing to do until then, unless an earlier device's flows linger.
  if (actual?.plugged === false) {
    const { vifId, vmId } = desired;
    return actual.heldDevice ? [{ kind: 'resetPort', bridge, port, vifId, vmId }] : [];
  }
  const current = actual ?? freshPort(desired);
  const ops: Operation[] = [];
  if (!actual) {
    ops.push({ kind: 'addPort', bridge, port, vifId: desired.vifId, vmId: desired.vmId });
  }
  if (!desired.forwarding && current.forwarding) {
    ops.push({ kind: 'setPortForwarding', bridge, port, forwarding: false });
  }
  const address = addressOf(desired);
  const addressChanged = !sameValue(address, addressOf(current));
  if (addressChanged) ops.push({ kind: 'setPortAddress', bridge, port, address });
  if (!sameValue(desired.qos, current.qos)) {
    ops.push({ kind: 'setPortQos', bridge, port, qos: desired.qos ?? null });
  }
  // Security and egress ACL flows match on the address, so a new address rewrites them too.
  if (desired.portSecurity !== current.portSecurity || (desired.portSecurity && addressChanged)) {
    ops.push({ kind: 'setPortSecurity', bridge, port, enabled: desired.portSecurity, address });
  }
  const aclsChanged =
    !sameValue(desired.acls, current.acls) ||
    desired.aclDefault !== current.aclDefault ||
    current.aclFlowsLost === true;
  // The to-VM rules key on the port's MAC, so a new MAC rewrites them too.
  if (aclsChanged || (hasAclPipeline(desired) && desired.mac !== current.mac)) {
    const { acls, aclDefault } = desired;
    ops.push({
      kind: 'setPortAcls',
      bridge,
      port,
      mac: desired.mac,
      acls,
      ...(aclDefault ? { aclDefault } : {}),
      ...(current.aclFlowsLost ? {} : { previous: previousAcls(current) }),
    });
  }
  // A port that starts forwarding loses its handover flows in the same bundle (ovs-steps.ts): an
  // armed port the VM opened stays open throughout.
  const starts = desired.forwarding && !current.forwarding;
  const handoverChanged =
    desired.handover !== current.handover || (!!desired.handover && desired.mac !== current.mac);
  if (handoverChanged && !(starts && !desired.handover)) {
    const handover = desired.handover ?? null;
    const { mac, forwarding } = desired;
    ops.push({ kind: 'setPortHandover', bridge, port, mac, handover, forwarding });
  }
  if (starts) {
    ops.push({ kind: 'setPortForwarding', bridge, port, forwarding: true });
    if (desired.mac) ops.push({ kind: 'announcePort', bridge, port, address });
  }
  return ops;
}
