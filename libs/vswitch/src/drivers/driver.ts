import type { HostActualState, HostDesiredState } from '../model/host-state.js';
import { describeOperation, type Operation } from '../planner/operation.js';

/** Traffic seen on one switch port, from the switch's side (rx = sent by the VM). */
export interface PortCounters {
  port: string;
  rxPackets: number;
  rxBytes: number;
  rxDropped: number;
  txPackets: number;
  txBytes: number;
  txDropped: number;
}

/** What one ACL rule of a port has judged since its flows were written: its hits. */
export interface RuleCounters {
  port: string;
  rule: string;
  packets: number;
  bytes: number;
}

/**
 * One overlay tunnel's liveness as its BFD session says: `up` once both ends hear each other;
 * `down`, `init` or `admin_down` otherwise, with BFD's diagnostic (e.g. "Control Detection
 * Time Expired").
 */
export interface TunnelLiveness {
  state: string;
  diagnostic: string;
}

/**
 * What a drift pass found on a bridge the host owns and put right: a flow someone else added
 * (`added`, `flow` as found), one of its flows missing (`removed`, `flow` as it should be) or
 * edited (`changed`, `flow` as found, `expected` as it should be); a port someone else added.
 */
export type DriftFinding =
  | {
      kind: 'flow';
      bridge: string;
      change: 'added' | 'removed' | 'changed';
      flow: string;
      expected?: string;
    }
  | { kind: 'port'; bridge: string; change: 'added'; port: string };

export type FlowDrift = Extract<DriftFinding, { kind: 'flow' }>;

/**
 * A host's datapath. `readActual` reports what the switch really does (a port whose flows were
 * wiped reads back without its ACLs), never what was last asked of it: that is what lets the
 * member host see and repair drift.
 */
export interface VSwitchDriver {
  readonly kind: string;
  readActual(): Promise<HostActualState>;
  /**
   * Applies the operations in order and stops at the first failure; a later plan picks up from
   * whatever state that left. Not re-entrant: the caller runs one apply at a time per host.
   */
  apply(ops: readonly Operation[]): Promise<void>;
  counters?(): Promise<PortCounters[]>;
  /** Per port and ACL rule, the packets and bytes the rule passed or dropped. */
  ruleCounters?(): Promise<RuleCounters[]>;
  /** Each overlay tunnel with a liveness check (BFD), by tunnel port name. */
  tunnelLiveness?(): Promise<Map<string, TunnelLiveness>>;
  /**
   * Reads back everything on the bridges the host owns (every flow, every port), compares it
   * with `desired` by content and puts it right: what the host did not put there goes, what was
   * edited is restored. Runs after `apply` has converged what `readActual` sees.
   */
  sweep?(desired: HostDesiredState): Promise<DriftFinding[]>;
  /**
   * VIF ports whose device is absent (the hypervisor has not plugged it), as of the last
   * `readActual` or `apply`: they hold their records and wait, not forwarding, for the device.
   */
  unpluggedPorts?(): string[];
  /**
   * VIF ports the host adopted from the hypervisor (`iface-id` binding): the planner's port
   * name → the device the hypervisor plugged (libvirt's `vnetN`), which is what an operator
   * sees on the host.
   */
  adoptedDevices?(): Map<string, string>;
  /**
   * Calls `onChange` soon after a device appears for a port waiting for one, or a port's device
   * goes away, so the caller converges then; returns the function that stops watching.
   */
  watchDevices?(onChange: () => void): () => void;
  /**
   * Per host interface in `dhcp` or `autoconf` mode, the addresses its device holds now (what
   * its DHCP client leased, what SLAAC configured), read from the system: reports show them.
   */
  interfaceLeases?(): Promise<Map<string, string[]>>;
  /**
   * Per host interface with a family in `dhcp` mode, the DNS servers its leases carry (DHCPv4
   * option 6, DHCPv6 option 23): the management interface's resolver when the log gives none.
   */
  leasedDns?(): Promise<Map<string, string[]>>;
}

export class DriverError extends Error {
  readonly code = 'VSWITCH_DRIVER_FAILED';

  constructor(
    message: string,
    readonly operation?: Operation,
    options?: { cause?: unknown },
  ) {
    super(operation ? `${describeOperation(operation)}: ${message}` : message, options);
    this.name = 'DriverError';
  }
}
