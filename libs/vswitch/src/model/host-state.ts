import type {
  AclAction,
  AddressPair,
  AclMatch,
  BondMode,
  Direction,
  MirrorDirection,
  VifQos,
} from './topology.js';

/**
 * What one host's virtual switches look like. The model derives the desired value, a driver reads
 * back the actual one, and the planner diffs the two, so both use this one shape.
 */
export interface HostSwitchState {
  /** Per-host bridges that hold a physical NIC or bond; network bridges reach them by VLAN. */
  uplinks: Uplink[];
  bridges: Bridge[];
}

export type HostDesiredState = HostSwitchState;
export type HostActualState = HostSwitchState;

export interface Uplink {
  device: string;
  bridge: string;
  bond?: { members: string[]; mode: BondMode };
}

export interface BridgeUplink {
  device: string;
  vlan?: number;
}

export interface Bridge {
  name: string;
  networkId: string;
  mtu: number;
  /** Present on external networks only; a private network's bridge never reaches a NIC. */
  uplink?: BridgeUplink;
  ports: Port[];
  mirrors: Mirror[];
}

export interface Port {
  name: string;
  vifId: string;
  vmId: string;
  mac: string;
  ipv4?: string;
  ipv6?: string;
  /** Further addresses (either family) and allowed address pairs: see port-security.ts. */
  extraIps?: string[];
  allowedPairs?: AddressPair[];
  qos?: VifQos;
  portSecurity: boolean;
  /** False while the port is pending: present for a migration but neither sending nor receiving. */
  forwarding: boolean;
  /** Network-scoped and VIF-scoped rules, highest priority first. */
  acls: AclRule[];
}

export interface AclRule {
  id: string;
  direction: Direction;
  priority: number;
  match: AclMatch;
  action: AclAction;
  /** OVN's allow-stateless: an allowed packet is not committed to conntrack (absent: stateful). */
  stateless?: boolean;
}

export interface Mirror {
  name: string;
  mirrorId: string;
  direction: MirrorDirection;
  sourcePorts: string[];
  outputPort: string;
}

export const emptyState = (): HostSwitchState => ({ uplinks: [], bridges: [] });
