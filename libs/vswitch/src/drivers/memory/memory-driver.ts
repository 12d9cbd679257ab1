import type { HostActualState, HostDesiredState, TunnelPort } from '../../model/host-state.js';
import type { Operation, PortAddress } from '../../planner/operation.js';
import {
  DriverError,
  type DriftFinding,
  type PortCounters,
  type RuleCounters,
  type TunnelLiveness,
  type VSwitchDriver,
} from '../driver.js';
import { BfdSessions, type MemoryUnderlay } from './memory-bfd.js';
import { MemoryDatapath } from './memory-datapath.js';
import { ManagementPathModel } from './management-path.js';

export interface FailureOptions {
  /** Apply this many operations of the failing batch before failing (a crash mid-plan). */
  afterOps?: number;
  message?: string;
}

/**
 * BFD on the memory datapath's tunnels, as `tunnelBfdMs` turns it on for the OVS driver: the
 * host's name on `underlay`, and the interval (ms; the detect time is three).
 */
export interface MemoryLivenessOptions {
  host: string;
  underlay: MemoryUnderlay;
  bfdMs: number;
  /** Epoch ms; tests move time by hand. */
  clock?: () => number;
}

/**
 * The in-memory driver for tests and scale runs. Tests script its misbehaviour: fail the next
 * applies, or drift the datapath behind the member host's back, as an admin with ovs-vsctl would.
 */
export class MemoryVSwitchDriver implements VSwitchDriver {
  readonly kind = 'memory';
  /** Every batch passed to `apply`, failed ones included, oldest first. */
  readonly applied: Operation[][] = [];
  /** Every address announcement sent, oldest first, with when (epoch ms). */
  readonly announcements: { port: string; address: PortAddress; at: number }[] = [];
  private failures: FailureOptions[] = [];
  private readonly traffic = new Map<string, PortCounters>();
  /** Flows written by hand into a bridge's table, as text (this datapath models no tables). */
  private foreignFlows: { bridge: string; flow: string }[] = [];
  /** Ports plugged by hand into a bridge, and whether a sweep has isolated them yet. */
  private readonly foreignPorts = new Map<string, { bridge: string; isolated: boolean }>();
  private readonly deviceWatchers = new Set<() => void>();
  /**
   * The host's management path, as a fault hook: with a device set, the path is cut while that
   * NIC is enslaved to a bridge, and listeners hear each change (management-path.ts).
   */
  readonly managementPath = new ManagementPathModel();

  /** BFD on the tunnels, when the driver was given an underlay (`tunnelLiveness`). */
  private readonly bfd: (MemoryLivenessOptions & { sessions: BfdSessions }) | undefined;
  private beat: NodeJS.Timeout | undefined;

  constructor(
    readonly datapath = new MemoryDatapath(),
    liveness?: MemoryLivenessOptions,
  ) {
    if (!liveness || liveness.bfdMs <= 0) return;
    this.bfd = { ...liveness, sessions: new BfdSessions(liveness.bfdMs) };
    // A shared underlay hears this host only while it keeps sending, as BFD does on its own.
    if (liveness.underlay.announce) {
      this.beat = setInterval(() => void this.announce(), liveness.bfdMs);
      this.beat.unref();
    }
  }

  /**
   * Each tunnel's BFD state, by port name, as the OVS driver reads `bfd_status`; none without an
   * underlay (as with BFD off, no tunnel is then said to be unreachable).
   */
  async tunnelLiveness(): Promise<Map<string, TunnelLiveness>> {
    const bfd = this.bfd;
    if (!bfd) return new Map();
    await this.announce();
    await bfd.underlay.refresh?.();
    const now = (bfd.clock ?? Date.now)();
    const heardAt = (t: TunnelPort) => bfd.underlay.heardAt(bfd.host, t, now);
    return bfd.sessions.read(this.tunnels(), heardAt, now);
  }

  /** Stops sending BFD (the host is shutting down). */
  close(): void {
    clearInterval(this.beat);
    this.beat = undefined;
  }

  private tunnels() {
    return this.datapath.allBridges().flatMap((b) => b.tunnels ?? []);
  }

  private async announce(): Promise<void> {
    const bfd = this.bfd;
    if (!bfd?.underlay.announce) return;
    const now = (bfd.clock ?? Date.now)();
    await bfd.underlay.announce(bfd.host, this.tunnels(), now).catch(() => undefined);
  }

  readActual(): Promise<HostActualState> {
    return Promise.resolve(this.datapath.snapshot());
  }

  /** As the OVS driver's: what each dhcp or autoconf interface leased from the model. */
  interfaceLeases(): Promise<Map<string, string[]>> {
    const modes = ['dhcp', 'autoconf'];
    const dynamic = [...this.datapath.interfaces.values()].filter(
      (i) => modes.includes(i.ipv4.mode) || modes.includes(i.ipv6.mode),
    );
    return Promise.resolve(new Map(dynamic.map((i) => [i.name, this.datapath.dhcp.leased(i)])));
  }

  /** As the OVS driver's: the DNS servers each dhcp interface's modelled leases carry. */
  leasedDns(): Promise<Map<string, string[]>> {
    const dhcp = [...this.datapath.interfaces.values()].filter(
      (i) => i.ipv4.mode === 'dhcp' || i.ipv6.mode === 'dhcp',
    );
    return Promise.resolve(new Map(dhcp.map((i) => [i.name, this.datapath.dhcp.dns(i)])));
  }

  apply(ops: readonly Operation[]): Promise<void> {
    this.applied.push([...ops]);
    const failure = this.failures.shift();
    const limit = failure ? (failure.afterOps ?? 0) : ops.length;
    try {
      for (const op of ops.slice(0, limit)) {
        this.datapath.apply(op);
        if (op.kind === 'announcePort') {
          this.announcements.push({ port: op.port, address: { ...op.address }, at: Date.now() });
        }
      }
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    } finally {
      this.managementPath.observe(() => this.datapath.snapshot());
      // Tunnels added or removed: the peers hear of them now, not at the next beat.
      if (ops.some((op) => op.kind === 'setBridgeTunnels' || op.kind === 'deleteBridge')) {
        void this.announce();
      }
    }
    if (failure) {
      return Promise.reject(new DriverError(failure.message ?? 'injected failure', ops[limit]));
    }
    return Promise.resolve();
  }

  counters(): Promise<PortCounters[]> {
    const ports = this.datapath.snapshot().bridges.flatMap((b) => b.ports.map((p) => p.name));
    return Promise.resolve(ports.map((port) => this.traffic.get(port) ?? zeroCounters(port)));
  }

  ruleCounters(): Promise<RuleCounters[]> {
    return Promise.resolve(this.datapath.ruleHits());
  }

  /**
   * The drift pass by content, as the OVS driver's: on the bridges the host owns (desired and
   * present), flows written by hand are removed and ports plugged by hand isolated (kept), each
   * reported once; elsewhere nothing is touched.
   */
  sweep(desired: HostDesiredState): Promise<DriftFinding[]> {
    const owned = (bridge: string) =>
      desired.bridges.some((b) => b.name === bridge) && !!this.datapath.findBridge(bridge);
    const findings: DriftFinding[] = this.foreignFlows
      .filter(({ bridge }) => owned(bridge))
      .map(({ bridge, flow }) => ({ kind: 'flow', bridge, change: 'added', flow }));
    this.foreignFlows = this.foreignFlows.filter(({ bridge }) => !owned(bridge));
    for (const [port, found] of this.foreignPorts) {
      if (found.isolated || !owned(found.bridge)) continue;
      found.isolated = true;
      findings.push({ kind: 'port', bridge: found.bridge, change: 'added', port });
    }
    return Promise.resolve(findings);
  }

  /** Flows and ports put on the switch by hand that no sweep has removed (flows) or isolated. */
  foreign(): { flows: { bridge: string; flow: string }[]; ports: string[] } {
    const ports = [...this.foreignPorts].filter(([, p]) => !p.isolated).map(([name]) => name);
    return { flows: this.foreignFlows.map((f) => ({ ...f })), ports };
  }

  /** Ports whose device is absent (see `devices`). */
  unpluggedPorts(): string[] {
    return this.datapath.unpluggedPorts();
  }

  watchDevices(onChange: () => void): () => void {
    this.deviceWatchers.add(onChange);
    return () => this.deviceWatchers.delete(onChange);
  }

  /**
   * The hypervisor's side: a port's device goes away (`unplug`; also before the host creates
   * the port, as a VM's NIC not plugged yet) or appears (`plug`), and the watch says so.
   */
  readonly devices = {
    unplug: (port: string): void => {
      if (this.datapath.absent.has(port)) return;
      this.datapath.absent.add(port);
      if (!this.datapath.findPort(port)) return;
      this.datapath.held.add(port);
      this.deviceWatchers.forEach((w) => w());
    },
    plug: (port: string): void => {
      this.datapath.held.delete(port);
      if (!this.datapath.absent.delete(port)) return;
      if (this.datapath.findPort(port)) this.deviceWatchers.forEach((w) => w());
    },
  };

  /** Make the next `count` applies fail (each after `afterOps` operations, default none). */
  failNextApplies(count: number, options: FailureOptions = {}): this {
    for (let i = 0; i < count; i++) this.failures.push({ ...options });
    return this;
  }

  /** Count traffic on a port, as the datapath would. */
  recordTraffic(port: string, delta: Partial<Omit<PortCounters, 'port'>>): void {
    const current = this.traffic.get(port) ?? zeroCounters(port);
    const next = { ...current };
    for (const [key, value] of Object.entries(delta) as [keyof typeof delta, number][]) {
      next[key] += value;
    }
    this.traffic.set(port, next);
  }

  /** Changes made by hand, outside any plan. */
  readonly drift = {
    /** A VIF port or a tunnel port deleted by hand. */
    deletePort: (port: string): void => this.datapath.removePort(port),
    deleteBridge: (bridge: string): void => this.datapath.apply({ kind: 'deleteBridge', bridge }),
    setMac: (port: string, mac: string): void => {
      const found = this.datapath.findPort(port);
      if (!found) throw new Error(`no port ${port}`);
      found.port.mac = mac;
    },
    setForwarding: (port: string, forwarding: boolean): void => {
      const found = this.datapath.findPort(port);
      if (!found) throw new Error(`no port ${port}`);
      found.port.forwarding = forwarding;
    },
    /** A flow written by hand (`ovs-ofctl add-flow`), e.g. `priority=65535 actions=NORMAL`. */
    addFlow: (bridge: string, flow: string): void => {
      this.foreignFlows.push({ bridge, flow });
    },
    /** A port plugged by hand (`ovs-vsctl add-port`): not a VIF, so readActual never shows it. */
    addPort: (bridge: string, port: string): void => {
      this.foreignPorts.set(port, { bridge, isolated: false });
    },
    /** An address taken off a host interface by hand (`ip addr flush`). */
    dropInterfaceAddress: (name: string): void => {
      const iface = this.datapath.interfaces.get(name);
      if (!iface) throw new Error(`no interface ${name}`);
      iface.ipv4 = { mode: 'none' };
      iface.ipv6 = { mode: 'none' };
    },
    clearAcls: (port: string): void => {
      const found = this.datapath.findPort(port);
      if (!found) throw new Error(`no port ${port}`);
      found.port.acls = [];
    },
  };
}

const zeroCounters = (port: string): PortCounters => ({
  port,
  rxPackets: 0,
  rxBytes: 0,
  rxDropped: 0,
  txPackets: 0,
  txBytes: 0,
  txDropped: 0,
});
