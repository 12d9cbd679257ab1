import type {
  AclRule,
  BridgeUplink,
  HostInterface,
  Mirror,
  MirrorTunnel,
  Port,
  TunnelPort,
  Uplink,
} from '../model/host-state.js';
import type { PortHandover } from '@pool/contracts';
import type { SecuredAddress } from '../model/port-security.js';
import type { VifQos } from '../model/topology.js';

/**
 * One idempotent change to a host's switches. Each operation carries everything a driver needs,
 * so applying it twice, or after a crash half-way through a plan, leaves the same switch.
 *
 * `addPort` creates the port pending (not forwarding): a port only forwards once a later
 * `setPortForwarding` says so, after its address, QoS, security and ACLs are in place.
 *
 * `announcePort` changes nothing on the switch: it sends, as if from the VM, frames that make
 * every switch on the way relearn where the VIF's MAC now lives (RARP, gratuitous ARP, an
 * unsolicited neighbour advertisement), the way a hypervisor does after a live migration. The
 * planner emits it right after a port starts forwarding, so physical switches and other hosts'
 * bridges stop sending the VM's traffic to its old host at once rather than after MAC ageing.
 *
 * `resetPort` is for a port whose device went away: its flows go (they match the OpenFlow
 * port number the device had, which the next device may not get) and the port is created anew,
 * as `addPort` leaves it, so the switch opens the next device under its name afresh; when one
 * appears, the port's settings are written as for a new port.
 */
export type Operation =
  | { kind: 'deletePort'; bridge: string; port: string }
  | { kind: 'deleteBridge'; bridge: string }
  | { kind: 'deleteUplink'; device: string; bridge: string }
  | { kind: 'setUplink'; uplink: Uplink }
  | { kind: 'createBridge'; bridge: string; networkId: string; mtu: number }
  | { kind: 'setBridgeMtu'; bridge: string; mtu: number }
  | { kind: 'setBridgeUplink'; bridge: string; uplink: BridgeUplink | null }
  /** Makes the bridge's tunnel ports `tunnels`, deleting the `stale` ones. */
  | { kind: 'setBridgeTunnels'; bridge: string; tunnels: TunnelPort[]; stale: string[] }
  | { kind: 'addPort'; bridge: string; port: string; vifId: string; vmId: string }
  | { kind: 'setPortAddress'; bridge: string; port: string; address: PortAddress }
  | { kind: 'setPortQos'; bridge: string; port: string; qos: VifQos | null }
  | {
      kind: 'setPortSecurity';
      bridge: string;
      port: string;
      enabled: boolean;
      address: PortAddress;
    }
  | {
      kind: 'setPortAcls';
      bridge: string;
      port: string;
      mac: string;
      acls: AclRule[];
      /** `deny`: IP no rule admits is dropped both ways (absent: allowed). */
      aclDefault?: 'deny';
      /**
       * What the port's ACL flows were written from, when the switch holds them as written (a
       * new port: none), so a driver changes only the flows that differ; absent when they are
       * not as written, and then the driver replaces all of them.
       */
      previous?: PortAcls;
    }
  | { kind: 'setPortForwarding'; bridge: string; port: string; forwarding: boolean }
  /**
   * Arms a pending port, watches a forwarding one, or ends either (`handover: null`) for a
   * migration the VM activates (Port.handover); `mac` is the VIF's, whose announcement counts.
   */
  | {
      kind: 'setPortHandover';
      bridge: string;
      port: string;
      mac: string;
      handover: PortHandover | null;
      /** Whether the port forwards (by what the host writes) once the handover is set. */
      forwarding: boolean;
    }
  | { kind: 'announcePort'; bridge: string; port: string; address: PortAddress }
  | { kind: 'resetPort'; bridge: string; port: string; vifId: string; vmId: string }
  | { kind: 'setMirrors'; bridge: string; mirrors: Mirror[] }
  /** Makes the bridge's mirror tunnels (GRE) `tunnels`, deleting the `stale` ones. */
  | { kind: 'setMirrorTunnels'; bridge: string; tunnels: MirrorTunnel[]; stale: string[] }
  /**
   * The bridge's ports that get flooded frames through their to-VM ACLs (forwarding ports with
   * an ACL pipeline, sorted); `previous` what the switch had.
   */
  | { kind: 'setBridgeFlood'; bridge: string; ports: string[]; previous: string[] }
  /**
   * Takes the host's interface away from where it is (`iface` as read back): its internal port
   * goes, or its addresses leave the PIF.
   */
  | { kind: 'deleteHostInterface'; iface: HostInterface }
  /**
   * Makes the host's interface `iface`: its internal port on its bridge with its tag (moved
   * there if it was elsewhere), or the PIF itself, holding its addresses and gateway.
   */
  | { kind: 'setHostInterface'; iface: HostInterface };

export type OperationKind = Operation['kind'];

/**
 * An operation that needs the port's device: what it writes in the datapath (flows, meter,
 * forwarding, frames sent from the port) names the port, which exists there only with one.
 * Without it a driver writes the operation's records only (none: nothing), and the port's
 * next pass with a device writes the rest (plan-ports.ts).
 */
export const needsDevice = (op: Operation): op is Extract<Operation, { port: string }> =>
  'port' in op && op.kind !== 'deletePort' && op.kind !== 'resetPort';

/** What a port's ACL flows are made of. */
export type PortAcls = Pick<Port, 'mac' | 'acls' | 'aclDefault'>;

/** A port's MAC and addresses, as port security and the announce after a move use them. */
export type PortAddress = SecuredAddress;

/** A one-line rendering for logs and drift reports. */
export function describeOperation(op: Operation): string {
  switch (op.kind) {
    case 'deleteUplink':
      return `deleteUplink ${op.bridge} (${op.device})`;
    case 'setUplink':
      return `setUplink ${op.uplink.bridge} (${op.uplink.device})`;
    case 'deleteBridge':
    case 'createBridge':
    case 'setBridgeMtu':
    case 'setBridgeUplink':
    case 'setBridgeTunnels':
    case 'setMirrors':
    case 'setMirrorTunnels':
    case 'setBridgeFlood':
      return `${op.kind} ${op.bridge}`;
    case 'deletePort':
    case 'addPort':
    case 'setPortAddress':
    case 'setPortQos':
    case 'setPortSecurity':
    case 'setPortAcls':
    case 'setPortForwarding':
    case 'setPortHandover':
    case 'announcePort':
    case 'resetPort':
      return `${op.kind} ${op.bridge}/${op.port}`;
    case 'deleteHostInterface':
    case 'setHostInterface':
      return `${op.kind} ${op.iface.name} (${op.iface.bridge ?? op.iface.device})`;
  }
}
