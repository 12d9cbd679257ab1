import { createHash } from 'node:crypto';

/*
 * The names poolnet gives Open vSwitch objects. They are part of the contract with the
 * hypervisor, which creates each VIF's device under its port's name, so they live here, where
 * the read API, poolctl and the vSwitch model all take them from, and not behind the OVS driver.
 *
 * Linux caps interface names at 15 characters and ids are UUIDs, so a name is a 3-letter role
 * prefix plus 10 hex digits of a hash: a pure function of one id, the same on every host and
 * known before anything exists. 40 bits make a clash unlikely but not impossible; the vSwitch
 * model refuses one (NameRegistry).
 */
export const NAME_PREFIXES = {
  bridge: 'pnb-',
  port: 'pnv-',
  uplink: 'pnu-',
  mirror: 'pnm-',
  bridgePatch: 'pnl-',
  uplinkPatch: 'pnt-',
  tunnel: 'pnx-',
  mirrorTunnel: 'pnr-',
} as const;

/**
 * Names already hashed. A host derives every name of its desired state after each event, and
 * on an overlay network that is one tunnel per other host: at 1,000 hosts, 1,000 sha256 per
 * event for names that never change. Cleared whole when full, so it stays bounded.
 */
const hashed = new Map<string, string>();
const HASHED_MAX = 65_536;

const hash10 = (kind: string, id: string): string => {
  const key = `${kind}\0${id}`;
  let name = hashed.get(key);
  if (name === undefined) {
    name = createHash('sha256').update(key).digest('hex').slice(0, 10);
    if (hashed.size >= HASHED_MAX) hashed.clear();
    hashed.set(key, name);
  }
  return name;
};

/** The bridge of a network, on every host that carries it. */
export const bridgeName = (networkId: string): string =>
  NAME_PREFIXES.bridge + hash10('network', networkId);

/** A VIF's port, and the name of the device the hypervisor creates for it. */
export const portName = (vifId: string): string => NAME_PREFIXES.port + hash10('vif', vifId);

export const uplinkBridgeName = (device: string): string =>
  NAME_PREFIXES.uplink + hash10('device', device);

export const mirrorName = (mirrorId: string): string =>
  NAME_PREFIXES.mirror + hash10('mirror', mirrorId);

/** The patch pair joining a network bridge to its uplink bridge reuses the bridge's hash. */
export const patchPortNames = (bridge: string): { bridgeSide: string; uplinkSide: string } => {
  const suffix = bridge.slice(NAME_PREFIXES.bridge.length);
  return {
    bridgeSide: NAME_PREFIXES.bridgePatch + suffix,
    uplinkSide: NAME_PREFIXES.uplinkPatch + suffix,
  };
};

/**
 * The VXLAN port of an overlay network's bridge towards one other host: one per (network,
 * remote host), so each remote host is a port of its own to MAC learning and split horizon.
 */
export const tunnelPortName = (networkId: string, remoteHostId: string): string =>
  NAME_PREFIXES.tunnel + hash10('tunnel', `${networkId}\0${remoteHostId}`);

/**
 * The GRE port of one leg of a cross-host mirror, on either end: the mirror, the source
 * network and the host at the other end name it, so each host has one per leg.
 */
export const mirrorTunnelPortName = (
  mirrorId: string,
  sourceNetworkId: string,
  remoteHostId: string,
): string =>
  NAME_PREFIXES.mirrorTunnel +
  hash10('mirror-tunnel', `${mirrorId}\0${sourceNetworkId}\0${remoteHostId}`);
