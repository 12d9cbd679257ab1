import { createHash } from 'node:crypto';

/**
 * Switch object names. Linux caps interface names at 15 characters and ids are UUIDs, so names are
 * a 3-letter role prefix plus 10 hex digits of a hash: stable for an id on every host, and short.
 * 40 bits make a clash unlikely but not impossible, hence the registry below.
 */
export const NAME_PREFIXES = {
  bridge: 'pnb-',
  port: 'pnv-',
  uplink: 'pnu-',
  mirror: 'pnm-',
  bridgePatch: 'pnl-',
  uplinkPatch: 'pnt-',
} as const;

const hash10 = (kind: string, id: string): string =>
  createHash('sha256').update(`${kind}\0${id}`).digest('hex').slice(0, 10);

export const bridgeName = (networkId: string): string =>
  NAME_PREFIXES.bridge + hash10('network', networkId);

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

export class NameCollisionError extends Error {
  readonly code = 'VSWITCH_NAME_COLLISION';

  constructor(
    readonly switchName: string,
    readonly owners: [string, string],
  ) {
    super(`switch name ${switchName} is derived from both ${owners[0]} and ${owners[1]}`);
    this.name = 'NameCollisionError';
  }
}

/**
 * Open vSwitch keeps bridge and port names in one namespace per host, so every name handed out
 * for a host goes through one registry. A clash is refused rather than resolved: a resolution
 * would depend on which other ids exist and break the "same id, same name everywhere" rule.
 */
export class NameRegistry {
  private readonly owners = new Map<string, string>();

  claim(name: string, owner: string): string {
    const existing = this.owners.get(name);
    if (existing !== undefined && existing !== owner) {
      throw new NameCollisionError(name, [existing, owner]);
    }
    this.owners.set(name, owner);
    return name;
  }
}
