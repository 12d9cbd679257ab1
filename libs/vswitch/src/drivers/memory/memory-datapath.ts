import { normalizeState } from '../../model/canonical.js';
import {
  forwardsNow,
  type Bridge,
  type HostInterface,
  type HostSwitchState,
  type MirrorTunnel,
  type Port,
  type TunnelPort,
  type Uplink,
} from '../../model/host-state.js';
import { needsDevice, type Operation } from '../../planner/operation.js';
import { freshPort } from '../../planner/plan-ports.js';
import { DriverError, type RuleCounters } from '../driver.js';
import { AclConntrack, type IpPacket } from './acl-conntrack.js';
import { MemoryDhcpServers } from './memory-dhcp.js';
import { admits, type Frame } from './port-admission.js';

/**
 * An in-process switch with Open vSwitch's rules where they shape a plan: names are unique
 * per host, a port needs its bridge, a NIC sits on one bridge, deletes are if-exists and
 * creates may-exist. A planner bug that OVS would reject fails here too, without OVS.
 */
export class MemoryDatapath {
  private uplinks = new Map<string, Uplink>();
  private bridges = new Map<string, Bridge>();
  /** The host's own interfaces: an internal port lives and dies with its uplink bridge. */
  readonly interfaces = new Map<string, HostInterface>();
  /** One conntrack table per network bridge, as OVS's zone per network. */
  private readonly conntrack = new Map<string, AclConntrack>();
  /**
   * Ports whose device is absent (`unplug`): by default a port's device exists, as when the
   * host creates it. Such a port keeps its records (address) and nothing that needs a device.
   */
  readonly absent = new Set<string>();
  /** Absent devices the switch had opened for their port (see Port.heldDevice). */
  readonly held = new Set<string>();
  /** The DHCP servers and routers the host's own interfaces lease from (memory-dhcp.ts). */
  readonly dhcp: MemoryDhcpServers;

  /** `client`: the host's name, which its leases are derived from (distinct per host). */
  constructor(options: { client?: string } = {}) {
    this.dhcp = new MemoryDhcpServers(options.client);
  }

  /**
   * The ports whose device is absent, as `snapshot()` marks them, without copying the switch: a
   * host asks after every converge, and on an overlay bridge the copy held a thousand tunnels.
   */
  unpluggedPorts(): string[] {
    if (this.absent.size === 0) return [];
    const names = [...this.bridges.values()].flatMap((b) => b.ports.map((p) => p.name));
    return names.filter((name) => this.absent.has(name)).sort();
  }

  /**
   * The VM announced itself (a RARP, as QEMU sends on resume) from `port`, as OVS's learned
   * gate does (handover-flows.ts): an armed port opens. Returns whether one did.
   */
  announceFrom(port: string, at = Date.now()): boolean {
    const found = this.findPort(port)?.port;
    if (found?.handover !== 'armed' || found.announcedAt !== undefined) return false;
    found.announcedAt = at;
    return true;
  }

  /** That announcement, from `mac`, reached this switch from elsewhere: a watched port closes. */
  hearAnnouncement(mac: string, at = Date.now()): void {
    for (const bridge of this.bridges.values()) {
      for (const port of bridge.ports) {
        if (port.handover === 'watched' && port.mac === mac && port.announcedAt === undefined) {
          port.announcedAt = at;
        }
      }
    }
  }

  /** The effective state: a bridge's uplink counts only while its uplink bridge exists. */
  snapshot(): HostSwitchState {
    const bridges = [...this.bridges.values()].map((b) => {
      const { uplink, ...rest } = structuredClone(b);
      rest.ports = rest.ports.map((p) =>
        this.absent.has(p.name) ? unpluggedView(p, this.held.has(p.name)) : p,
      );
      return uplink && this.uplinks.has(uplink.device) ? { ...rest, uplink } : rest;
    });
    // What the modelled servers leased reads back beside the configuration, as on OVS.
    const interfaces = structuredClone([...this.interfaces.values()]).map((i) => {
      const leased = this.dhcp.leased(i);
      return leased.length > 0 ? { ...i, leased } : i;
    });
    return normalizeState({
      uplinks: structuredClone([...this.uplinks.values()]),
      bridges,
      interfaces,
    });
  }

  /**
   * An internal port needs its uplink bridge; an address on a PIF is dead once the PIF is in a
   * bridge (the kernel hands its frames to the switch), so that is refused as a plan error.
   */
  private setInterface(iface: HostInterface, fail: (message: string) => never): void {
    const uplink = [...this.uplinks.values()].find((u) =>
      iface.bridge
        ? u.bridge === iface.bridge
        : [u.device, ...(u.bond?.members ?? [])].includes(iface.device),
    );
    if (iface.bridge && !uplink) fail(`no uplink bridge ${iface.bridge} for ${iface.name}`);
    if (!iface.bridge && uplink) fail(`${iface.device} is in bridge ${uplink.bridge}`);
    if (iface.bridge && (this.bridges.has(iface.name) || this.findPort(iface.name))) {
      fail(`name ${iface.name} is taken`);
    }
    this.interfaces.set(iface.name, structuredClone(iface));
  }

  apply(op: Operation): void {
    const fail = (message: string): never => {
      throw new DriverError(message, op);
    };
    // As the OVS driver: without a device, a port gets its records (it exists, its address)
    // and nothing else; the port must still be there, as OVSDB would insist.
    const recordsOnly = ['addPort', 'setPortAddress'];
    if (needsDevice(op) && this.absent.has(op.port) && !recordsOnly.includes(op.kind)) {
      this.port(op, fail);
      return;
    }
    switch (op.kind) {
      case 'deletePort':
        return this.removePort(op.port);
      case 'deleteBridge':
        this.bridges.delete(op.bridge);
        return;
      case 'deleteUplink':
        this.uplinks.delete(op.device);
        // Its internal ports go with the bridge, as del-br takes them in Open vSwitch.
        for (const [name, iface] of this.interfaces) {
          if (iface.bridge === op.bridge) this.interfaces.delete(name);
        }
        return;
      case 'deleteHostInterface':
        this.interfaces.delete(op.iface.name);
        return;
      case 'setHostInterface':
        return this.setInterface(op.iface, fail);
      case 'setUplink': {
        const devices = [op.uplink.device, ...(op.uplink.bond?.members ?? [])];
        for (const other of this.uplinks.values()) {
          const taken = [other.device, ...(other.bond?.members ?? [])];
          if (other.device !== op.uplink.device && devices.some((d) => taken.includes(d))) {
            fail(`a device of ${op.uplink.device} is already on uplink ${other.device}`);
          }
        }
        this.uplinks.set(op.uplink.device, structuredClone(op.uplink));
        return;
      }
      case 'createBridge': {
        if (this.findPort(op.bridge)) fail(`name ${op.bridge} is taken by a port`);
        const existing = this.bridges.get(op.bridge);
        const base = existing ?? { name: op.bridge, ports: [], mirrors: [] };
        this.bridges.set(op.bridge, { ...base, networkId: op.networkId, mtu: op.mtu });
        return;
      }
      case 'setBridgeMtu':
        this.bridge(op.bridge, fail).mtu = op.mtu;
        return;
      case 'setBridgeUplink': {
        const bridge = this.bridge(op.bridge, fail);
        if (op.uplink && !this.uplinks.has(op.uplink.device)) fail(`no uplink ${op.uplink.device}`);
        if (op.uplink) bridge.uplink = { ...op.uplink };
        else delete bridge.uplink;
        return;
      }
      case 'addPort': {
        const bridge = this.bridge(op.bridge, fail);
        const found = this.findPort(op.port);
        if (found && found.bridge !== bridge) fail(`port ${op.port} is on ${found.bridge.name}`);
        if (this.bridges.has(op.port)) fail(`name ${op.port} is taken by a bridge`);
        if (found) found.port.forwarding = false;
        else bridge.ports.push(freshPort({ name: op.port, vifId: op.vifId, vmId: op.vmId }));
        return;
      }
      case 'setPortAddress':
        Object.assign(
          this.port(op, fail),
          { ipv4: undefined, ipv6: undefined, extraIps: undefined, allowedPairs: undefined },
          op.address,
        );
        return;
      case 'setPortQos':
        this.port(op, fail).qos = op.qos ?? undefined;
        return;
      case 'setPortSecurity':
        this.port(op, fail).portSecurity = op.enabled;
        return;
      case 'setPortAcls':
        Object.assign(this.port(op, fail), {
          acls: structuredClone(op.acls),
          aclDefault: op.aclDefault,
        });
        this.conntrack.get(op.bridge)?.forget(op.port);
        return;
      case 'setPortForwarding': {
        const port = this.port(op, fail);
        Object.assign(port, { forwarding: op.forwarding });
        delete port.handover;
        delete port.announcedAt;
        return;
      }
      case 'setPortHandover': {
        const port = this.port(op, fail);
        delete port.announcedAt;
        if (op.handover) port.handover = op.handover;
        else delete port.handover;
        if (op.handover === 'armed' || (!op.handover && !op.forwarding)) port.forwarding = false;
        return;
      }
      case 'announcePort':
        this.port(op, fail); // frames from a port that does not exist cannot be sent
        return;
      case 'setBridgeFlood':
        // Who gets a flooded frame follows from the ports' own ACLs and forwarding (flood()).
        this.bridge(op.bridge, fail);
        return;
      case 'resetPort': {
        const bridge = this.bridge(op.bridge, fail);
        const index = bridge.ports.findIndex((p) => p.name === op.port);
        if (index < 0) fail(`no port ${op.port} on ${op.bridge}`);
        bridge.ports[index] = freshPort({ name: op.port, vifId: op.vifId, vmId: op.vmId });
        this.held.delete(op.port);
        return;
      }
      case 'setBridgeTunnels': {
        const bridge = this.bridge(op.bridge, fail);
        for (const tunnel of op.tunnels) {
          const found = this.findPort(tunnel.name);
          if (found || this.bridges.has(tunnel.name)) fail(`name ${tunnel.name} is taken`);
          const elsewhere = this.findTunnel(tunnel.name);
          if (elsewhere && elsewhere.bridge !== bridge) fail(`tunnel ${tunnel.name} is elsewhere`);
        }
        bridge.tunnels = structuredClone(op.tunnels);
        if (bridge.tunnels.length === 0) delete bridge.tunnels;
        return;
      }
      case 'setMirrors': {
        const bridge = this.bridge(op.bridge, fail);
        const tunnel = (name: string) => bridge.mirrorTunnels?.some((t) => t.name === name);
        for (const mirror of op.mirrors) {
          if (!bridge.ports.some((p) => p.name === mirror.outputPort) && !tunnel(mirror.outputPort))
            fail(`no port ${mirror.outputPort} for a mirror's output`);
          for (const name of mirror.sourcePorts) {
            if (!bridge.ports.some((p) => p.name === name)) fail(`no port ${name} for a mirror`);
          }
        }
        bridge.mirrors = structuredClone(op.mirrors);
        return;
      }
      case 'setMirrorTunnels': {
        const bridge = this.bridge(op.bridge, fail);
        for (const tunnel of op.tunnels) {
          if (
            this.findPort(tunnel.name) ||
            this.bridges.has(tunnel.name) ||
            this.findTunnel(tunnel.name)
          )
            fail(`name ${tunnel.name} is taken`);
          const elsewhere = this.findMirrorTunnel(tunnel.name);
          if (elsewhere && elsewhere.bridge !== bridge) fail(`tunnel ${tunnel.name} is elsewhere`);
          // As an OpenFlow output to a port that does not exist, the delivery flow is refused.
          if (
            tunnel.deliverTo !== undefined &&
            !bridge.ports.some((p) => p.name === tunnel.deliverTo)
          )
            fail(`no port ${tunnel.deliverTo} on ${op.bridge} to deliver mirror copies to`);
        }
        for (const name of op.stale) this.removePort(name);
        bridge.mirrorTunnels = structuredClone(op.tunnels);
        if (bridge.mirrorTunnels.length === 0) delete bridge.mirrorTunnels;
        return;
      }
    }
  }

  /** Like OVSDB weak references: a deleted port leaves the mirrors that pointed at it. */
  removePort(name: string): void {
    for (const bridge of this.bridges.values()) {
      bridge.tunnels = bridge.tunnels?.filter((t) => t.name !== name);
      if (bridge.tunnels?.length === 0) delete bridge.tunnels;
      bridge.mirrorTunnels = bridge.mirrorTunnels?.filter((t) => t.name !== name);
      if (bridge.mirrorTunnels?.length === 0) delete bridge.mirrorTunnels;
      bridge.ports = bridge.ports.filter((p) => p.name !== name);
      bridge.mirrors = bridge.mirrors
        .filter((m) => m.outputPort !== name)
        .map((m) => ({ ...m, sourcePorts: m.sourcePorts.filter((p) => p !== name) }))
        .filter((m) => m.sourcePorts.length > 0);
    }
  }

  /** Whether the port's admission passes `frame` sent by its VM (see port-admission.ts). */
  admits(portName: string, frame: Frame): boolean {
    const port = this.findPort(portName)?.port;
    if (!port || !forwardsNow(port) || this.absent.has(portName)) return false;
    return !port.portSecurity || admits(port, frame);
  }

  findPort(name: string): { bridge: Bridge; port: Port } | undefined {
    for (const bridge of this.bridges.values()) {
      const port = bridge.ports.find((p) => p.name === name);
      if (port) return { bridge, port };
    }
    return undefined;
  }

  findTunnel(name: string): { bridge: Bridge; tunnel: TunnelPort } | undefined {
    for (const bridge of this.bridges.values()) {
      const tunnel = bridge.tunnels?.find((t) => t.name === name);
      if (tunnel) return { bridge, tunnel };
    }
    return undefined;
  }

  findMirrorTunnel(name: string): { bridge: Bridge; tunnel: MirrorTunnel } | undefined {
    for (const bridge of this.bridges.values()) {
      const tunnel = bridge.mirrorTunnels?.find((t) => t.name === name);
      if (tunnel) return { bridge, tunnel };
    }
    return undefined;
  }

  /**
   * Where copies go of a frame that forwarding port `port` receives from its VM (`ingress`) or
   * is delivered (`egress`), as Open vSwitch's mirrors on its bridge send them: a monitor port
   * of this host, or a GRE tunnel (remote address and key) towards the monitor's host.
   */
  mirrorCopies(port: string, direction: 'ingress' | 'egress'): MirrorCopy[] {
    const found = this.findPort(port);
    if (!found || !forwardsNow(found.port) || this.absent.has(port)) return [];
    const { bridge } = found;
    return bridge.mirrors
      .filter(
        (m) =>
          m.sourcePorts.includes(port) && (m.direction === 'both' || m.direction === direction),
      )
      .flatMap((m): MirrorCopy[] => {
        const tunnel = bridge.mirrorTunnels?.find((t) => t.name === m.outputPort);
        if (tunnel) return [{ remoteIp: tunnel.remoteIp, key: tunnel.key }];
        const monitor = bridge.ports.find((p) => p.name === m.outputPort);
        return monitor && forwardsNow(monitor) && !this.absent.has(monitor.name)
          ? [{ port: monitor.name }]
          : [];
      });
  }

  /**
   * The port a copy arriving over GRE from `remoteIp` with `key` is delivered to: the monitor
   * port of the receiving mirror tunnel that matches, if it forwards; nowhere otherwise.
   */
  mirrorDelivery(remoteIp: string, key: number): string | undefined {
    for (const bridge of this.bridges.values()) {
      const tunnel = bridge.mirrorTunnels?.find((t) => t.remoteIp === remoteIp && t.key === key);
      if (!tunnel?.deliverTo) continue;
      const monitor = bridge.ports.find((p) => p.name === tunnel.deliverTo);
      return monitor && forwardsNow(monitor) && !this.absent.has(monitor.name)
        ? monitor.name
        : undefined;
    }
    return undefined;
  }

  /**
   * The hosts a broadcast (or unknown unicast) entering `bridge` on port or tunnel `from` is
   * sent to, as Open vSwitch's NORMAL with protected tunnel ports sends it: once on each tunnel
   * from a VM's port, on none from a tunnel (split horizon). Local delivery: flood().
   */
  floodRemotes(bridge: string, from: string): string[] {
    const b = this.bridges.get(bridge);
    if (!b) throw new DriverError(`no bridge ${bridge}`);
    const fromTunnel = b.tunnels?.some((t) => t.name === from) ?? false;
    return fromTunnel ? [] : (b.tunnels ?? []).map((t) => t.remoteHost);
  }

  /** Every bridge, live (the fabric reads tunnels from them). */
  allBridges(): Bridge[] {
    return [...this.bridges.values()];
  }

  findBridge(name: string): Bridge | undefined {
    return this.bridges.get(name);
  }

  /**
   * What the bridge does with an IP packet from port `from` to port `to` (undefined: the
   * uplink), under the ports' ACLs and the network's connection tracking (acl-conntrack.ts).
   * A pending port neither sends nor receives.
   */
  send(bridge: string, from: string | undefined, to: string | undefined, packet: IpPacket) {
    const b = this.bridges.get(bridge);
    if (!b) throw new DriverError(`no bridge ${bridge}`);
    const port = (name: string | undefined) => {
      if (name === undefined) return undefined;
      const found = b.ports.find((p) => p.name === name);
      if (!found) throw new DriverError(`no port ${name} on ${bridge}`);
      return found;
    };
    const [source, target] = [port(from), port(to)];
    const down = (p: Port | undefined) => p && (!forwardsNow(p) || this.absent.has(p.name));
    if (down(source) || down(target)) return 'dropped';
    let conntrack = this.conntrack.get(bridge);
    if (!conntrack) this.conntrack.set(bridge, (conntrack = new AclConntrack()));
    return conntrack.send(source, target, packet);
  }

  /**
   * Where a frame to a group address (broadcast, multicast) sent by port `from` (undefined: the
   * uplink) is delivered, as the OVS pipeline floods it (flows.ts, floodFlows): every other
   * forwarding port without ACLs gets it; a port with ACLs gets it only if its to-VM rules and
   * default policy admit it. `arp` (and any non-IP frame) is never subject to ACLs.
   */
  flood(bridge: string, from: string | undefined, packet: IpPacket | 'arp'): string[] {
    const b = this.bridges.get(bridge);
    if (!b) throw new DriverError(`no bridge ${bridge}`);
    const source = from === undefined ? undefined : b.ports.find((p) => p.name === from);
    if (from !== undefined && !source) throw new DriverError(`no port ${from} on ${bridge}`);
    const up = (p: Port) => forwardsNow(p) && !this.absent.has(p.name);
    if (source && !up(source)) return [];
    const targets = b.ports.filter((p) => up(p) && p.name !== from);
    if (packet === 'arp') return targets.map((p) => p.name);
    let conntrack = this.conntrack.get(bridge);
    if (!conntrack) this.conntrack.set(bridge, (conntrack = new AclConntrack()));
    return conntrack.flood(source, targets, packet).map((p) => p.name);
  }

  /** Hits per ACL rule of every port, as the OVS driver reads them from its rule flows. */
  ruleHits(): RuleCounters[] {
    return [...this.conntrack.values()]
      .flatMap((c) => c.ruleHits())
      .sort((a, b) => a.port.localeCompare(b.port) || a.rule.localeCompare(b.rule));
  }

  private bridge(name: string, fail: (message: string) => never): Bridge {
    return this.bridges.get(name) ?? fail(`no bridge ${name}`);
  }

  private port(op: { bridge: string; port: string }, fail: (message: string) => never): Port {
    const port = this.bridge(op.bridge, fail).ports.find((p) => p.name === op.port);
    return port ?? fail(`no port ${op.port} on ${op.bridge}`);
  }
}

/** Where one mirror copy goes: a local monitor port, or a GRE leg to another host. */
export type MirrorCopy = { port: string } | { remoteIp: string; key: number };

/**
 * A port without its device as the OVS driver reads one back: its records, no flows, and
 * whether it held a device that went away.
 */
function unpluggedView(port: Port, held: boolean): Port {
  const { name, vifId, vmId, mac, ipv4, ipv6, extraIps, allowedPairs } = port;
  return {
    ...{ name, vifId, vmId, mac, ipv4, ipv6, extraIps, allowedPairs },
    portSecurity: false,
    forwarding: false,
    acls: [],
    plugged: false,
    ...(held ? { heldDevice: true as const } : {}),
  };
}
