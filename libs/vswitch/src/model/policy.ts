import { compareAcls } from './canonical.js';
import type { AclRule, PortAclMatch } from './host-state.js';
import { hostCidr, sortedCidrs, vifAddresses } from './remotes.js';
import type {
  AclMatch,
  PoolTopology,
  Scope,
  TopologyAcl,
  TopologySecurityGroup,
  TopologyVif,
} from './topology.js';

/**
 * The pool's policy looked up by what a port asks: its rules by scope, its groups, the
 * addresses of a remote group. Built once per derivation (desiredState), so deriving a host's
 * ports costs what its ports' rules cost, not the pool's rules once per port.
 */
export class PolicyIndex {
  private readonly rulesByScope = new Map<string, TopologyAcl[]>();
  private readonly groupsByVif = new Map<string, TopologySecurityGroup[]>();
  private readonly groups: Map<string, TopologySecurityGroup>;
  private readonly addressSets: Map<string, string[]>;
  private readonly denyingNetworks: Set<string>;
  private readonly vifs: Map<string, TopologyVif>;
  /** A remote group's addresses, resolved the first time a rule names it. */
  private readonly groupRemotes = new Map<string, string[]>();

  constructor(topology: PoolTopology) {
    for (const acl of topology.acls) {
      const key = scopeKey(acl.scope);
      const list = this.rulesByScope.get(key);
      if (list) list.push(acl);
      else this.rulesByScope.set(key, [acl]);
    }
    for (const group of topology.securityGroups) {
      for (const vifId of group.vifIds) {
        const list = this.groupsByVif.get(vifId);
        if (list) list.push(group);
        else this.groupsByVif.set(vifId, [group]);
      }
    }
    this.groups = new Map(topology.securityGroups.map((g) => [g.id, g]));
    this.addressSets = new Map(topology.addressSets.map((s) => [s.id, s.cidrs]));
    this.denyingNetworks = new Set(
      topology.networks.filter((n) => n.aclDefault === 'deny').map((n) => n.id),
    );
    this.vifs = new Map(topology.vifs.map((v) => [v.id, v]));
  }

  /** Whether a rule or mirror scoped `scope` lands on `vif`. */
  inScope(scope: Scope, vif: TopologyVif): boolean {
    if ('vifId' in scope) return scope.vifId === vif.id;
    if ('networkId' in scope) return scope.networkId === vif.networkId;
    return this.groupsOf(vif).some((g) => g.id === scope.groupId);
  }

  /** The rules landing on `vif`: its network's, its own, and those of each group it is in. */
  rulesOf(vif: TopologyVif): TopologyAcl[] {
    const keys = [
      scopeKey({ networkId: vif.networkId }),
      scopeKey({ vifId: vif.id }),
      ...this.groupsOf(vif).map((g) => scopeKey({ groupId: g.id })),
    ];
    return keys.flatMap((key) => this.rulesByScope.get(key) ?? []);
  }

  /** `deny` when the VIF's network or any of its groups denies by default. */
  aclDefaultOf(vif: TopologyVif): 'deny' | undefined {
    const denies =
      this.denyingNetworks.has(vif.networkId) ||
      this.groupsOf(vif).some((g) => g.defaultPolicy === 'deny');
    return denies ? 'deny' : undefined;
  }

  /**
   * The CIDRs a rule's remote side stands for (absent: any remote). An address set or group
   * that does not exist stands for nothing, as an empty one does.
   */
  remotesOf(match: AclMatch): string[] | undefined {
    if (match.cidr) return [match.cidr];
    if (match.addressSetId) return [...(this.addressSets.get(match.addressSetId) ?? [])];
    if (match.remoteGroupId) return [...this.groupAddresses(match.remoteGroupId)];
    return undefined;
  }

  private groupsOf(vif: TopologyVif): TopologySecurityGroup[] {
    return this.groupsByVif.get(vif.id) ?? [];
  }

  /** Every address of every member, wherever it runs (a member on no host still counts). */
  private groupAddresses(groupId: string): string[] {
    let remotes = this.groupRemotes.get(groupId);
    if (!remotes) {
      const members = this.groups.get(groupId)?.vifIds ?? [];
      remotes = sortedCidrs(
        members.flatMap((id) => {
          const vif = this.vifs.get(id);
          return vif ? vifAddresses(vif).map(hostCidr) : [];
        }),
      );
      this.groupRemotes.set(groupId, remotes);
    }
    return remotes;
  }
}

const scopeKey = (scope: Scope): string =>
  'vifId' in scope
    ? `vif ${scope.vifId}`
    : 'networkId' in scope
      ? `network ${scope.networkId}`
      : `group ${scope.groupId}`;

const portMatch = (match: AclMatch, remotes: string[] | undefined): PortAclMatch => ({
  protocol: match.protocol,
  ...(remotes ? { remotes } : {}),
  ...(match.portFrom !== undefined ? { portFrom: match.portFrom } : {}),
  ...(match.portTo !== undefined ? { portTo: match.portTo } : {}),
});

/**
 * Pool-wide rules land on every port they cover: the network's, the VIF's own and those of
 * each group it is in, each with its remote side resolved to CIDRs.
 */
export function aclsFor(
  topology: PoolTopology,
  vif: TopologyVif,
  index = new PolicyIndex(topology),
): AclRule[] {
  return index
    .rulesOf(vif)
    .map(({ id, direction, priority, match, action, stateless }) => ({
      id,
      direction,
      priority,
      match: portMatch(match, index.remotesOf(match)),
      action,
      // Only where it changes something, so stateful rules read back from OVS compare equal.
      ...(stateless && action === 'allow' ? { stateless: true } : {}),
    }))
    .sort(compareAcls);
}
