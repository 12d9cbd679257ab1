import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { VifBinding } from './vif-binding.js';

export interface OvsDriverOptions {
  /**
   * The directory ovs-vswitchd was started with (OVS_RUNDIR): its bridges' OpenFlow sockets live
   * there as `<bridge>.mgmt`. Default: /var/run/openvswitch.
   */
  runDir?: string;
  /** ovsdb-server's unix socket, which the driver keeps one connection to; default `<runDir>/db.sock`. */
  dbSocket?: string;
  /** `netdev` (userspace, no kernel module) or `system` (the kernel datapath). Default netdev. */
  datapathType?: 'netdev' | 'system';
  /** Interface type of VIF ports: `system` when the hypervisor creates the device (default). */
  vifInterfaceType?: 'system' | 'internal';
  /**
   * ovs-vswitchd's control socket for ovs-appctl; default `<runDir>/ovs-vswitchd.ctl` when it
   * exists (scripts/ovs/start.sh), else `ovs-vswitchd` found through its pid file in the run dir.
   */
  vswitchdControl?: string;
  ofctl?: string;
  appctl?: string;
  /**
   * `name` (default): the host creates each VIF's port, named after the VIF. `iface-id`: it
   * adopts the interface the hypervisor plugs with `external_ids:iface-id=<VIF id>` on the
   * network's bridge, and creates none (vif-binding.ts).
   */
  vifBinding?: VifBinding;
  /**
   * The network namespace ovs-vswitchd runs in, where its internal ports appear and the host's
   * interfaces get their addresses (host-interfaces.ts); default: this process's own.
   */
  netns?: string;
  /** iproute2's `ip`. */
  ip?: string;
  /**
   * BFD on every overlay tunnel (tunnel-ports.ts): the interval, in ms, each end asks for and
   * sends at; a remote endpoint is declared down after three missed. 0 turns BFD off.
   * Default 1,000: in a mesh of 1,000 hosts that is ~1,000 small packets a second per host.
   */
  tunnelBfdMs?: number;
  timeoutMs?: number;
  /**
   * Run a DHCP client (ISC dhclient) for each host interface in `dhcp` mode (dhcp-client.ts).
   * Absent: none is run, and such an interface is only brought up for the machine's own client.
   */
  dhcp?: DhcpClientOptions;
}

export interface DhcpClientOptions {
  /** Where each client's pid and lease files live (the member host: `<STATE_DIR>/dhcp`). */
  stateDir: string;
  /** The dhclient binary; default `dhclient` on PATH. */
  dhclient?: string;
}

export interface ResolvedOvsOptions {
  runDir: string;
  dbSocket: string;
  datapathType: 'netdev' | 'system';
  vifInterfaceType: 'system' | 'internal';
  vswitchdControl: string;
  ofctl: string;
  appctl: string;
  vifBinding: VifBinding;
  netns: string | undefined;
  ip: string;
  tunnelBfdMs: number;
  timeoutMs: number;
  dhcp: DhcpClientOptions | undefined;
}

export function resolveOvsOptions(options: OvsDriverOptions = {}): ResolvedOvsOptions {
  const runDir = options.runDir ?? '/var/run/openvswitch';
  return {
    runDir,
    dbSocket: options.dbSocket ?? join(runDir, 'db.sock'),
    datapathType: options.datapathType ?? 'netdev',
    vifInterfaceType: options.vifInterfaceType ?? 'system',
    vswitchdControl: options.vswitchdControl ?? defaultControl(runDir),
    ofctl: options.ofctl ?? 'ovs-ofctl',
    appctl: options.appctl ?? 'ovs-appctl',
    vifBinding: options.vifBinding ?? 'name',
    netns: options.netns,
    ip: options.ip ?? 'ip',
    tunnelBfdMs: options.tunnelBfdMs ?? 1000,
    timeoutMs: options.timeoutMs ?? 30_000,
    dhcp: options.dhcp,
  };
}

/** ovs-ofctl reaches a bridge through its management socket, wherever the run dir is. */
export const mgmtTarget = (options: ResolvedOvsOptions, bridge: string): string =>
  `unix:${mgmtSocket(options, bridge)}`;

/** A bridge's OpenFlow management socket: ovs-vswitchd listens there for local controllers. */
export const mgmtSocket = (options: ResolvedOvsOptions, bridge: string): string =>
  join(options.runDir, `${bridge}.mgmt`);

function defaultControl(runDir: string): string {
  const socket = join(runDir, 'ovs-vswitchd.ctl');
  return existsSync(socket) ? socket : 'ovs-vswitchd';
}
