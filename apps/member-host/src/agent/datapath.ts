import type { HostInterfaceStatus, HostReport } from '@pool/contracts';
import type { PoolEvent, PoolState } from '@pool/domain';
import { HostDerivation } from '@pool/pool-topology';
import {
  canonicalJson,
  desiredState,
  digest,
  mirrorStatuses,
  plan,
  reconcileFully,
  type DriftFinding,
  type HostDesiredState,
  type HostSwitchState,
  type Operation,
  type Port,
  type TunnelLiveness,
  type TunnelPort,
  type VSwitchDriver,
} from '@pool/vswitch';
import type { ResolverFile } from './resolver-file.js';
import { errorMessage } from './serial.js';

export type PortStatus = NonNullable<HostReport['ports']>[number];
export type DriftItem = NonNullable<HostReport['drift']>[number];
export type MirrorReport = NonNullable<HostReport['mirrors']>[number];
export type TunnelStatus = NonNullable<HostReport['tunnels']>[number];

/** `findings`: what the drift pass by content found and put right (full passes only). */
export type ConvergeOutcome =
  { ok: true; operations: Operation[]; findings?: DriftFinding[] } | { ok: false; error: string };

/**
 * `apply`: after new events, planned against the last converged state; `full`: read the
 * switch back first (boot, drift timer, retries).
 */
export type ConvergeMode = 'apply' | 'full';

/**
 * The host's switches, driven towards the desired state of its replica. Remembers what it last
 * converged to (version and digest), so a report never claims a version the switch does not
 * have, and so an event that changes nothing on this host costs no driver round trip.
 */
export class Datapath {
  /** The replica version the switch last matched, with the digest of that desired state. */
  converged: { version: number; digest: string } | undefined;
  lastError: string | undefined;
  ports: PortStatus[] = [];
  /**
   * The mirrors this host takes part in and whether they are realised, as of the last state
   * derived (whether or not the switch got there: lastError says that).
   */
  mirrors: MirrorReport[] = [];
  /** Per overlay network on this host, its tunnels as wanted and as on the switch. */
  tunnels: TunnelStatus[] = [];
  /** Each overlay bridge's tunnels as last derived, by network: who each tunnel leads to. */
  private wantedTunnels = new Map<string, readonly TunnelPort[]>();
  /** Each tunnel's liveness (BFD) as last read, by port name; undefined: never read or none. */
  private liveness: Map<string, TunnelLiveness> | undefined;
  /** The host's own interfaces as the switch holds them (reported; see HostReport). */
  interfaces: HostInterfaceStatus[] = [];
  /** The desired state the switch last matched (what a network rollback puts back). */
  convergedDesired: HostDesiredState | undefined;
  /** What the switch was last converged to: the base of the next incremental plan. */
  private last: HostDesiredState | undefined;
  /** The host's topology, kept from one event to the next where no event touched it. */
  private readonly derivation: HostDerivation;

  constructor(
    readonly driver: VSwitchDriver,
    private readonly hostId: string,
    /** The resolver file the host manages (MANAGE_RESOLV_CONF): written after each converge. */
    private readonly resolver?: ResolverFile,
  ) {
    this.derivation = new HostDerivation(hostId);
  }

  /**
   * Tells the derivation what `event`, just folded into `state`, may have changed: call it for
   * every event folded into the state `desired` and `converge` are given (pool-topology
   * host-derivation.ts; another state object is derived afresh).
   */
  folded(state: PoolState, event: PoolEvent): void {
    this.derivation.folded(state, event);
  }

  desired(state: PoolState): HostDesiredState {
    const topology = this.derivation.topology(state);
    this.mirrors = topology.mirrors.length > 0 ? mirrorStatuses(topology) : [];
    return desiredState(topology, this.hostId);
  }

  /** Callers serialize calls (the driver is not re-entrant). */
  converge(state: PoolState, version: number, mode: ConvergeMode): Promise<ConvergeOutcome> {
    let desired: HostDesiredState;
    try {
      desired = this.desired(state);
    } catch (error) {
      // The model refused this state (a switch name clash): no driver call can fix that.
      return this.failed(errorMessage(error), undefined);
    }
    return this.convergeTo(desired, version, mode);
  }

  /** Converges to a given desired state, reported as `version`'s (a network rollback's hold). */
  async convergeTo(
    desired: HostDesiredState,
    version: number,
    mode: ConvergeMode,
  ): Promise<ConvergeOutcome> {
    const wanted = digest(desired);
    const incremental = mode === 'apply' && this.lastError === undefined ? this.last : undefined;
    if (incremental && this.converged?.digest === wanted) {
      this.converged = { version, digest: wanted };
      return { ok: true, operations: [] };
    }
    if (incremental) {
      // Plan against what the switch was last converged to, without reading it back: a read
      // costs more than most changes (OVSDB and flow dumps). Drift is the drift timer's job; an
      // operation that fails because the switch drifted falls back to a full pass.
      const operations = plan(desired, incremental);
      try {
        if (operations.length > 0) await this.driver.apply(operations);
        return await this.succeeded(desired, version, wanted, operations);
      } catch {
        // fall through
      }
    }
    try {
      const { operations, findings } = await reconcileFully(this.driver, desired);
      return { ...(await this.succeeded(desired, version, wanted, operations)), findings };
    } catch (error) {
      return this.failed(errorMessage(error), desired);
    }
  }

  /**
   * Reads what the host's DHCP clients leased (and SLAAC configured) into `interfaces`, for the
   * periodic report: a lease comes seconds after the apply that started its client.
   */
  async refreshLeases(): Promise<void> {
    if (!this.driver.interfaceLeases || !this.interfaces.some((i) => i.dynamic)) return;
    const leases = await this.driver.interfaceLeases();
    this.interfaces = this.interfaces.map((i) => withLeases(i, leases.get(i.name)));
    // A lease's DNS servers come with the lease, seconds after the converge that started it.
    if (this.convergedDesired) await this.syncResolver(this.convergedDesired);
  }

  /** The resolver file to `desired`'s management DNS, or its DHCP lease's when it has none. */
  private async syncResolver(desired: HostDesiredState): Promise<void> {
    if (!this.resolver) return;
    const dhcp = desired.interfaces?.some((i) => i.ipv4.mode === 'dhcp' || i.ipv6.mode === 'dhcp');
    const leased = dhcp ? await this.driver.leasedDns?.() : undefined;
    await this.resolver.sync(desired, leased);
  }

  private async succeeded(
    desired: HostDesiredState,
    version: number,
    wanted: string,
    operations: Operation[],
  ): Promise<Extract<ConvergeOutcome, { ok: true }>> {
    // Before anything is recorded as converged: a resolver that cannot be written is a failed
    // pass, retried like any other (the DNS servers are part of the desired state).
    await this.syncResolver(desired);
    const unplugged = new Set(this.driver.unpluggedPorts?.());
    const devices = this.driver.adoptedDevices?.() ?? new Map<string, string>();
    // A port waiting for its device is, for the next incremental plan, as the driver reads it
    // back: nothing is planned for it until the device appears and a full pass writes it.
    this.last = unplugged.size > 0 ? asUnplugged(desired, unplugged) : desired;
    this.convergedDesired = desired;
    this.converged = { version, digest: wanted };
    this.lastError = undefined;
    this.interfaces = keptLeases(interfacesOf(desired), this.interfaces);
    this.ports = portsOf(desired, (port) =>
      unplugged.has(port.name)
        ? { ready: true, forwarding: false, plugged: false }
        : {
            ready: true,
            forwarding: port.forwarding,
            ...(devices.get(port.name) ? { device: devices.get(port.name) } : {}),
          },
    );
    this.tunnels = tunnelsOf(desired);
    this.wantedTunnels = wantedTunnelsOf(desired);
    return { ok: true, operations };
  }

  /**
   * Reads each tunnel's liveness from the driver (its BFD sessions), when the host has tunnels
   * and the driver checks them. Callers serialize it with converges, like every driver call.
   */
  async refreshLiveness(): Promise<void> {
    if (this.tunnels.length === 0 || !this.driver.tunnelLiveness) {
      this.liveness = undefined;
      return;
    }
    this.liveness = await this.driver.tunnelLiveness().catch(() => undefined);
  }

  /**
   * The tunnels as a report says them: as on the switch, and, where the last liveness read has
   * a tunnel's BFD session, the remote hosts whose session is not up (`unreachable`). A tunnel
   * missing from the switch is `missing`, not also unreachable.
   */
  tunnelReport(): TunnelStatus[] {
    const liveness = this.liveness;
    if (!liveness) return this.tunnels;
    return this.tunnels.map((status) => {
      const missing = new Set(status.missing);
      const unreachable = (this.wantedTunnels.get(status.network) ?? [])
        .filter((t) => !missing.has(t.remoteHost))
        .filter((t) => (liveness.get(t.name)?.state ?? 'up') !== 'up')
        .map((t) => t.remoteHost);
      return unreachable.length > 0 ? { ...status, unreachable } : status;
    });
  }

  private async failed(error: string, desired: HostDesiredState | undefined) {
    this.lastError = error;
    this.last = undefined;
    if (desired) {
      // Which ports really are as wanted, from what the switch reads back.
      const actual = await this.driver.readActual().catch(() => undefined);
      this.interfaces = actual ? interfacesOf(actual) : [];
      const found = new Map(actual?.bridges.flatMap((b) => b.ports.map((p) => [p.name, p])));
      this.ports = portsOf(desired, (port) => {
        const real = found.get(port.name);
        return {
          ready: real !== undefined && canonicalJson(real) === canonicalJson(port),
          forwarding: real?.forwarding ?? false,
        };
      });
      const tunnels = new Map(
        actual?.bridges.flatMap((b) => (b.tunnels ?? []).map((t) => [t.name, canonicalJson(t)])),
      );
      this.tunnels = tunnelsOf(desired, (t) => tunnels.get(t.name) === canonicalJson(t));
      this.wantedTunnels = wantedTunnelsOf(desired);
    } else {
      this.ports = this.ports.map((p) => ({ ...p, ready: false }));
      this.tunnels = this.tunnels.map(({ missing: _, ...t }) => ({ ...t, applied: 0 }));
    }
    return { ok: false as const, error };
  }
}

/** What a report says of the host's own interfaces in `state` (a read-back's leases too). */
export const interfacesOf = (state: HostSwitchState): HostInterfaceStatus[] =>
  (state.interfaces ?? []).map(({ name, purpose, device, vlan, bridge, ipv4, ipv6, leased }) => {
    const dynamic = [ipv4, ipv6].some((c) => c.mode === 'dhcp' || c.mode === 'autoconf');
    return withLeases(
      {
        name,
        purpose,
        device,
        ...(vlan === undefined ? {} : { vlan }),
        ...(bridge === undefined ? {} : { bridge }),
        addresses: [ipv4, ipv6].flatMap((c) => (c.mode === 'static' ? [c.address] : [])),
        ...(dynamic ? { dynamic } : {}),
      },
      leased,
    );
  });

/**
 * What was last read of each lease, kept for an interface still in the same place (until the
 * next refreshLeases): a moved one is a new port, whose lease is yet to come.
 */
function keptLeases(
  now: HostInterfaceStatus[],
  before: HostInterfaceStatus[],
): HostInterfaceStatus[] {
  const was = new Map(before.map((i) => [i.name, i]));
  return now.map((i) => {
    const old = was.get(i.name);
    const same = old && old.device === i.device && old.bridge === i.bridge && old.vlan === i.vlan;
    return i.dynamic && same ? withLeases(i, old.leased) : i;
  });
}

const withLeases = (
  { leased: _, ...status }: HostInterfaceStatus,
  leased: string[] | undefined,
): HostInterfaceStatus => (leased?.length ? { ...status, leased } : status);

const asUnplugged = (state: HostDesiredState, names: Set<string>): HostDesiredState => ({
  ...state,
  bridges: state.bridges.map((b) => ({
    ...b,
    ports: b.ports.map((p): Port => {
      if (!names.has(p.name)) return p;
      const { aclDefault: _, ...rest } = p;
      return { ...rest, portSecurity: false, forwarding: false, acls: [], plugged: false };
    }),
  })),
});

function portsOf(
  desired: HostDesiredState,
  status: (port: Port) => Omit<PortStatus, 'vif'>,
): PortStatus[] {
  return desired.bridges.flatMap((bridge) =>
    bridge.ports.map((port) => ({ vif: port.vifId, ...status(port) })),
  );
}

const wantedTunnelsOf = (desired: HostDesiredState): Map<string, readonly TunnelPort[]> =>
  new Map(
    desired.bridges.flatMap((b) => (b.tunnels?.length ? [[b.networkId, b.tunnels] as const] : [])),
  );

/**
 * Each overlay bridge's tunnels: how many are wanted, and which of them `onSwitch` finds (all,
 * without it: after a converge, where looking at each of a thousand tunnels per event is waste).
 */
function tunnelsOf(
  desired: HostDesiredState,
  onSwitch?: (tunnel: TunnelPort) => boolean,
): TunnelStatus[] {
  return desired.bridges.flatMap((bridge) => {
    const tunnels = bridge.tunnels ?? [];
    if (tunnels.length === 0) return [];
    const missing = onSwitch ? tunnels.filter((t) => !onSwitch(t)).map((t) => t.remoteHost) : [];
    return [
      {
        network: bridge.networkId,
        vni: tunnels[0]!.vni,
        expected: tunnels.length,
        applied: tunnels.length - missing.length,
        ...(missing.length > 0 ? { missing } : {}),
      },
    ];
  });
}

/**
 * Drift as a report lists it: what was found different and whether it was put back. An
 * announcement is not drift: it follows a port that was found not forwarding and put back.
 */
export function driftItems(
  operations: readonly Operation[],
  repaired: boolean,
  findings: readonly DriftFinding[] = [],
): DriftItem[] {
  const planned = operations
    .filter((op) => op.kind !== 'announcePort')
    .map((op) => ({
      kind: op.kind,
      object:
        'port' in op
          ? op.port
          : 'bridge' in op
            ? op.bridge
            : 'iface' in op
              ? op.iface.name
              : op.uplink.device,
      repaired,
    }));
  return [...planned, ...findings.map(findingItem)];
}

/** A finding of the drift pass: put right as it was found (a foreign port: isolated). */
function findingItem(finding: DriftFinding): DriftItem {
  const { kind, bridge, change } = finding;
  if (kind === 'port') return { kind, object: finding.port, repaired: true, bridge, change };
  const expected = finding.expected === undefined ? {} : { expected: finding.expected };
  return { kind, object: bridge, repaired: true, bridge, change, flow: finding.flow, ...expected };
}
