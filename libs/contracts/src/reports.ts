import type { MirrorStatus } from './mirror-status.js';

/** What a member host publishes on `<root>.<pool>.hosts.<host>.reports` (DESIGN §4). */
export interface HostReport {
  pool: string;
  host: string;
  /** The last pool version the host applied and made durable. */
  appliedVersion: number;
  /** Digest of the host's desired state at `appliedVersion` (`v2:…`: its scheme, then the hash). */
  digest: string;
  at: string;
  /**
   * The host's ports: `ready` once the host applied the VIF's settings, `plugged` false while
   * the port's device is absent (the hypervisor has not plugged the VM's NIC yet, or unplugged
   * it): the port then waits, not forwarding, and its flows are written when the device appears.
   */
  ports?: {
    vif: string;
    ready: boolean;
    forwarding: boolean;
    plugged?: false;
    /** The hypervisor's device, when the host adopted the one it plugged (`iface-id`). */
    device?: string;
  }[];
  /**
   * Per overlay network the host carries, its VXLAN tunnels (issue 19): `expected` is how many
   * the log wants (one to each other host carrying the network), `applied` how many are on the
   * switch as wanted, and `missing` names the remote hosts whose tunnel is not (a failed apply;
   * a tunnel deleted by hand until the drift pass puts it back). Counts and not one entry per
   * tunnel, so a report stays small in a mesh of a thousand hosts. `unreachable` names the
   * remote hosts whose tunnel is on the switch but whose liveness check (BFD) is not up: the
   * remote end is gone, lacks its tunnel back, or the underlay between them does not carry it.
   * Absent when the host's datapath has no liveness check.
   */
  tunnels?: {
    network: string;
    vni: number;
    expected: number;
    applied: number;
    missing?: string[];
    unreachable?: string[];
  }[];
  /**
   * What the host found on its switch that it did not put there, and whether it put it right:
   * an operation the planner repaired (`kind` the operation, `object` its port or bridge), or
   * a finding of the drift pass by content (`kind` `flow` or `port`, on `bridge`): a flow
   * someone `added`, one of the host's flows `removed` or `changed` (`flow` as found on the
   * switch, or as it should be when removed; `expected` as it should be when changed), a port
   * someone `added` to a bridge the host owns (kept, isolated).
   */
  drift?: {
    kind: string;
    object: string;
    repaired: boolean;
    bridge?: string;
    change?: 'added' | 'removed' | 'changed';
    flow?: string;
    expected?: string;
  }[];
  counters?: {
    port: string;
    rxPackets: number;
    txPackets: number;
    rxBytes: number;
    txBytes: number;
  }[];
  /**
   * Hits per ACL rule on this host, summed over its ports (a network rule sits on each of the
   * network's ports here): what the rule passed (allow) or dropped since its flows were written.
   */
  aclCounters?: { rule: string; packets: number; bytes: number }[];
  /**
   * The mirrors this host takes part in (a source or the monitor here), as this host's part of
   * the log sees them: realised or not, and why not (never silently absent). Absent: none.
   */
  mirrors?: ({ mirror: string } & MirrorStatus)[];
  /**
   * The host's own interfaces (management, storage) as its switch holds them at
   * `appliedVersion`: on `device` (VLAN `vlan`), an internal port on `bridge` or, without one,
   * the PIF itself, with the static addresses it holds and what its DHCP client leased.
   * Absent: none configured.
   */
  interfaces?: HostInterfaceStatus[];
  /**
   * Present while the host holds its switch at an earlier version because its network watchdog
   * rolled a change back (it lost NATS after applying `refusedVersion`): `appliedVersion` and
   * `digest` are then those of `version`, the version held; `followedVersion` is the newest
   * version the host has read from the log meanwhile. Absent once a later change to its
   * uplinks or bonds lifted the hold.
   */
  held?: NetworkHoldReport;
}

export interface HostInterfaceStatus {
  name: string;
  purpose: 'management' | 'storage';
  device: string;
  vlan?: number;
  bridge?: string;
  /** Static `ip/prefix` addresses it holds. */
  addresses: string[];
  /** Present when an address family is in `dhcp` or `autoconf` mode. */
  dynamic?: true;
  /**
   * What its DHCP client leased (or SLAAC configured), `ip/prefix`, as read from the device at
   * the last periodic report. Absent: nothing leased (yet).
   */
  leased?: string[];
}

export interface NetworkHoldReport {
  version: number;
  refusedVersion: number;
  followedVersion: number;
  reason: string;
  /** When the host rolled back (ISO time). */
  since: string;
}
