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
 * Names claimed together and kept together: a tunnel mesh, one name per other host carrying
 * the network. Distinct among themselves, checked once when the group is made; a registry then
 * checks a group against its other names as a whole (`NameRegistry.claimGroup`).
 */
export class NameGroup {
  /** Each name's owner. */
  readonly owners = new Map<string, string>();
  /** Groups already checked against this one and found not to clash with it. */
  readonly apart = new WeakSet<NameGroup>();

  constructor(entries: Iterable<readonly [name: string, owner: string]>) {
    for (const [name, owner] of entries) {
      const existing = this.owners.get(name);
      if (existing !== undefined && existing !== owner) {
        throw new NameCollisionError(name, [existing, owner]);
      }
      this.owners.set(name, owner);
    }
  }
}

/**
 * Open vSwitch keeps bridge and port names in one namespace per host, so every name handed out
 * for a host goes through one registry. A clash is refused rather than resolved: a resolution
 * would depend on which other ids exist and break the "same id, same name everywhere" rule.
 * A host derives its state, and so fills a new registry, after every event: a mesh of a
 * thousand tunnels comes in as one group, checked against the other names rather than claimed
 * name by name, and against another group once (`apart`), as long as both are kept.
 */
export class NameRegistry {
  private readonly owners = new Map<string, string>();
  private readonly groups: NameGroup[] = [];

  claim(name: string, owner: string): string {
    const existing = this.owners.get(name) ?? this.groupOwner(name);
    if (existing !== undefined && existing !== owner) {
      throw new NameCollisionError(name, [existing, owner]);
    }
    this.owners.set(name, owner);
    return name;
  }

  /** Claims each name of `group` for its owner, as `claim` would one by one. */
  claimGroup(group: NameGroup): void {
    for (const [name, existing] of this.owners) clash(name, existing, group.owners.get(name));
    for (const earlier of this.groups) {
      if (earlier === group || earlier.apart.has(group)) continue;
      const [small, large] =
        earlier.owners.size <= group.owners.size ? [earlier, group] : [group, earlier];
      for (const [name, owner] of small.owners) {
        const other = large.owners.get(name);
        if (other === undefined) continue;
        if (small === earlier) clash(name, owner, other);
        else clash(name, other, owner);
      }
      earlier.apart.add(group);
      group.apart.add(earlier);
    }
    this.groups.push(group);
  }

  private groupOwner(name: string): string | undefined {
    for (const group of this.groups) {
      const owner = group.owners.get(name);
      if (owner !== undefined) return owner;
    }
    return undefined;
  }
}

/** Refuses `name` for `owner` when an `existing` other owner has it. */
function clash(name: string, existing: string, owner: string | undefined): void {
  if (owner !== undefined && owner !== existing) {
    throw new NameCollisionError(name, [existing, owner]);
  }
}
