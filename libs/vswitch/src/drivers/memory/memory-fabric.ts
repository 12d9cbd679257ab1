import { forwardsNow, type Bridge, type TunnelPort } from '../../model/host-state.js';
import { DriverError } from '../driver.js';
import type { IpPacket } from './acl-conntrack.js';
import { pairKey, type MemoryUnderlay } from './memory-bfd.js';
import type { MemoryDatapath } from './memory-datapath.js';

/**
 * What a VM sends on an overlay network: to a MAC (unicast) or to everyone (`dstMac` absent:
 * broadcast, multicast, or the first frame to a MAC nobody has learnt yet). `arp` is never
 * subject to ACLs, an IP packet is.
 */
export interface OverlayFrame {
  dstMac?: string;
  packet: IpPacket | 'arp';
}

/** A VM's port that received the frame. */
export interface Delivery {
  host: string;
  port: string;
}

/** One VXLAN packet on the underlay: outer addresses and the VNI in its header. */
export interface UnderlayPacket {
  fromHost: string;
  toHost: string;
  srcIp: string;
  dstIp: string;
  vni: number;
  /** What the receiving host did with it: `delivered` to its VMs, or `dropped` (no tunnel). */
  outcome: 'delivered' | 'dropped';
}

export interface FabricOutcome {
  delivered: Delivery[];
  underlay: UnderlayPacket[];
}

/**
 * Several hosts' memory datapaths on one underlay, as the hosts' VXLAN tunnel endpoints sit on
 * one routed network: a frame a VM sends on an overlay network reaches the VMs of that network
 * on the other hosts, as Open vSwitch's NORMAL with protected VXLAN ports carries it
 * (flows.ts, ovs-overlay.int-spec.ts holds the real switch to the same cases):
 *
 * - a packet arrives only on a tunnel port whose key is its VNI, whose remote address is its
 *   outer source and whose local address its outer destination; elsewhere it is dropped, so
 *   networks with different VNIs never see each other's frames;
 * - what arrives from a tunnel goes to the bridge's VMs only, never out on another tunnel
 *   (split horizon): a flood reaches each host once, from the host of the VM that sent it;
 * - there is no MAC learning: a unicast frame to a MAC that is not on the sender's bridge goes
 *   out once on each tunnel, as unknown unicast, and only the port holding the MAC takes it;
 * - the ports' forwarding state and ACLs (conntrack included) decide as on a VLAN network: the
 *   sender's from-VM rules before any copy leaves, each receiver's to-VM rules on arrival;
 * - a host detached (stopped) or cut off from another (`partition`) gets nothing, and its
 *   tunnels' BFD sessions, and its peers' towards it, hear nothing (memory-bfd.ts): drivers
 *   given the fabric as their underlay read those tunnels `down` after the detect time.
 */
export class MemoryFabric implements MemoryUnderlay {
  private readonly hosts = new Map<string, MemoryDatapath>();
  /** Pairs of hosts the underlay does not carry between, as `a b` with a < b. */
  private readonly cuts = new Set<string>();

  /** Puts a host's datapath on the underlay (again after a restart: the new one replaces it). */
  attach(host: string, datapath: MemoryDatapath): this {
    this.hosts.set(host, datapath);
    return this;
  }

  /** Takes a host off the underlay (it is down): packets to it are lost. */
  detach(host: string): void {
    this.hosts.delete(host);
  }

  /** Cuts the underlay between two hosts (both ways), as a partition of the network would. */
  partition(a: string, b: string): void {
    this.cuts.add(pairKey(a, b));
  }

  /** Carries between two hosts again. */
  heal(a: string, b: string): void {
    this.cuts.delete(pairKey(a, b));
  }

  /**
   * BFD inside `host`'s tunnel is heard (now) when the remote endpoint's host is on the underlay,
   * not cut off from `host`, and holds the tunnel back that answers it.
   */
  heardAt(host: string, tunnel: TunnelPort, now: number): number | undefined {
    const remote = this.hostAt(tunnel.remoteIp);
    if (remote === undefined || this.cuts.has(pairKey(host, remote))) return undefined;
    const back = tunnelFor(this.hosts.get(remote)!, tunnel.localIp, tunnel.vni);
    return back?.tunnel.localIp === tunnel.remoteIp ? now : undefined;
  }

  /** A frame sent by the VM on `port` of `host`: which ports, on which hosts, receive it. */
  send(host: string, port: string, frame: OverlayFrame): FabricOutcome {
    const datapath = this.datapath(host);
    const found = datapath.findPort(port);
    if (!found) throw new DriverError(`no port ${port} on ${host}`);
    const { bridge } = found;
    const delivered = this.deliverLocally(host, datapath, bridge, port, frame);
    const local = frame.dstMac !== undefined && bridge.ports.some((p) => p.mac === frame.dstMac);
    if (local || !this.leaves(datapath, bridge, port, frame.packet)) {
      return { delivered, underlay: [] };
    }
    const underlay: UnderlayPacket[] = [];
    for (const tunnel of bridge.tunnels ?? []) {
      const arrived = this.carry(host, tunnel, frame);
      underlay.push(arrived.packet);
      delivered.push(...arrived.delivered);
    }
    return { delivered, underlay };
  }

  /**
   * A VXLAN packet that reached `host`'s endpoint from `srcIp` with `vni` (a host's tunnel, or
   * anyone on the underlay): delivered to the VMs of the bridge whose tunnel matches it, and
   * never sent on to another tunnel.
   */
  receive(host: string, srcIp: string, vni: number, frame: OverlayFrame): Delivery[] {
    const datapath = this.datapath(host);
    const found = tunnelFor(datapath, srcIp, vni);
    if (!found) return [];
    return this.deliverLocally(host, datapath, found.bridge, undefined, frame);
  }

  private carry(host: string, tunnel: TunnelPort, frame: OverlayFrame) {
    const toHost = this.hostAt(tunnel.remoteIp);
    const packet: UnderlayPacket = {
      fromHost: host,
      toHost: toHost ?? tunnel.remoteHost,
      srcIp: tunnel.localIp,
      dstIp: tunnel.remoteIp,
      vni: tunnel.vni,
      outcome: 'dropped',
    };
    if (toHost === undefined || this.cuts.has(pairKey(host, toHost))) {
      return { packet, delivered: [] };
    }
    const receiving = tunnelFor(this.hosts.get(toHost)!, tunnel.localIp, tunnel.vni);
    if (receiving?.tunnel.localIp !== tunnel.remoteIp) return { packet, delivered: [] };
    packet.outcome = 'delivered';
    return { packet, delivered: this.receive(toHost, tunnel.localIp, tunnel.vni, frame) };
  }

  /** Whether the frame passes the sender's port (forwarding, from-VM ACLs) towards tunnels. */
  private leaves(
    datapath: MemoryDatapath,
    bridge: Bridge,
    port: string,
    packet: IpPacket | 'arp',
  ): boolean {
    const source = bridge.ports.find((p) => p.name === port)!;
    if (!forwardsNow(source) || datapath.absent.has(port)) return false;
    return packet === 'arp' || datapath.send(bridge.name, port, undefined, packet) === 'delivered';
  }

  /** The bridge's own VMs that take the frame, from a port (`from`) or from a tunnel. */
  private deliverLocally(
    host: string,
    datapath: MemoryDatapath,
    bridge: Bridge,
    from: string | undefined,
    frame: OverlayFrame,
  ): Delivery[] {
    if (frame.dstMac === undefined) {
      return datapath.flood(bridge.name, from, frame.packet).map((port) => ({ host, port }));
    }
    const target = bridge.ports.find((p) => p.mac === frame.dstMac && p.name !== from);
    if (!target) return [];
    if (frame.packet === 'arp') {
      const up = (name: string) =>
        bridge.ports.some((p) => p.name === name && forwardsNow(p)) && !datapath.absent.has(name);
      return up(target.name) && (from === undefined || up(from))
        ? [{ host, port: target.name }]
        : [];
    }
    const verdict = datapath.send(bridge.name, from, target.name, frame.packet);
    return verdict === 'delivered' ? [{ host, port: target.name }] : [];
  }

  /** The host on the underlay whose tunnels are sourced at `address`. */
  private hostAt(address: string): string | undefined {
    return [...this.hosts].find(([, dp]) => holdsEndpoint(dp, address))?.[0];
  }

  private datapath(host: string): MemoryDatapath {
    const datapath = this.hosts.get(host);
    if (!datapath) throw new DriverError(`host ${host} is not on the underlay`);
    return datapath;
  }
}

/** Whether one of the datapath's tunnels is sourced at `address` (the host holds it). */
const holdsEndpoint = (datapath: MemoryDatapath, address: string): boolean =>
  datapath.allBridges().some((b) => b.tunnels?.some((t) => t.localIp === address));

/** The tunnel a VXLAN packet from `srcIp` with key `vni` arrives on, with its bridge. */
function tunnelFor(datapath: MemoryDatapath, srcIp: string, vni: number) {
  for (const bridge of datapath.allBridges()) {
    const tunnel = bridge.tunnels?.find((t) => t.remoteIp === srcIp && t.vni === vni);
    if (tunnel) return { bridge, tunnel };
  }
  return undefined;
}
