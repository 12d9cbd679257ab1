/*
 * Bridge and port names are part of the contract with the hypervisor (it creates each VIF's
 * device under its port's name), so they are defined in libs/contracts, which the read API and
 * poolctl share without this library's drivers.
 */
export {
  bridgeName,
  mirrorName,
  mirrorTunnelPortName,
  NAME_PREFIXES,
  patchPortNames,
  portName,
  tunnelPortName,
  uplinkBridgeName,
} from '@pool/contracts';

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
