import type {
  AclDefaultPolicy,
  AclMatch,
  BondMode,
  Direction,
  MigrationPhase,
  MirrorDirection,
  PoolTopology,
  Scope,
  TopologyAcl,
  TopologyHost,
  TopologyHostInterface,
  TopologyVif,
} from '../model/topology.js';

/**
 * Builds a `PoolTopology` for tests with defaults for everything a case does not care about:
 *
 *   topology().host('h1', ['eth0']).external('n1', 'eth0', 10).vm('vm1', 'h1').vif('v1', 'vm1', 'n1')
 */
export class TopologyBuilder {
  private readonly t: PoolTopology = {
    hosts: [],
    networks: [],
    vms: [],
    vifs: [],
    acls: [],
    mirrors: [],
    migrations: [],
    addressSets: [],
    securityGroups: [],
  };
  private macs = 0;

  host(id: string, pifs: string[] = ['eth0'], extra: Partial<TopologyHost> = {}): this {
    const nics = pifs.map((device, i) => ({
      device,
      mac: `02:aa:00:00:00:${hex(i + 1)}`,
      mtu: 1500,
    }));
    this.t.hosts.push({ id, name: id, state: 'enabled', pifs: nics, bonds: [], ...extra });
    return this;
  }

  bond(hostId: string, device: string, members: string[], mode: BondMode = 'active-backup'): this {
    this.hostById(hostId).bonds.push({ device, members, mode });
    return this;
  }

  external(id: string, device: string, vlan?: number, mtu = 1500): this {
    this.t.networks.push({ id, name: id, kind: { type: 'external', device, vlan }, mtu });
    return this;
  }

  private(id: string, mtu = 1500): this {
    this.t.networks.push({ id, name: id, kind: { type: 'private' }, mtu });
    return this;
  }

  /** A cross-host network over VXLAN with this VNI (hosts need a `tunnel` endpoint). */
  overlay(id: string, vni: number, mtu = 1450): this {
    this.t.networks.push({ id, name: id, kind: { type: 'overlay', vni }, mtu });
    return this;
  }

  /** Declares the host's tunnel endpoint: `address` held on `device`. */
  tunnel(hostId: string, address: string, device = 'eth0'): this {
    this.hostById(hostId).tunnel = { device, address };
    return this;
  }

  /** A running VM on `hostId`, or a halted one when `hostId` is undefined. */
  vm(id: string, hostId?: string): this {
    const powerState = hostId ? 'running' : 'halted';
    this.t.vms.push({ id, name: id, powerState, residentHost: hostId });
    return this;
  }

  vif(id: string, vmId: string, networkId: string, extra: Partial<TopologyVif> = {}): this {
    const device = this.t.vifs.filter((v) => v.vmId === vmId).length;
    const mac = `02:00:00:00:00:${hex(++this.macs)}`;
    this.t.vifs.push({ id, vmId, device, networkId, mac, portSecurity: false, ...extra });
    return this;
  }

  acl(
    id: string,
    scope: Scope,
    rule: { direction?: Direction; priority?: number; match?: Partial<AclMatch> } & Partial<
      Pick<TopologyAcl, 'action' | 'stateless'>
    > = {},
  ): this {
    this.t.acls.push({
      id,
      scope,
      direction: rule.direction ?? 'ingress',
      priority: rule.priority ?? 100,
      match: { protocol: 'any', ...rule.match },
      action: rule.action ?? 'drop',
      ...(rule.stateless ? { stateless: true } : {}),
    });
    return this;
  }

  mirror(
    id: string,
    source: Scope,
    destinationVifId: string,
    direction: MirrorDirection = 'both',
  ): this {
    this.t.mirrors.push({ id, source, direction, destinationVifId });
    return this;
  }

  migrate(
    vmId: string,
    fromHost: string,
    toHost: string,
    phase: MigrationPhase = 'requested',
    activation?: 'vm' | 'coordinator',
  ): this {
    this.t.migrations.push({
      vmId,
      fromHost,
      toHost,
      phase,
      ...(activation ? { activation } : {}),
    });
    return this;
  }

  /** The network's ports drop what no rule admits (or admit it again, with `allow`). */
  networkDefault(networkId: string, policy: AclDefaultPolicy = 'deny'): this {
    const network = this.t.networks.find((n) => n.id === networkId);
    if (!network) throw new Error(`no network ${networkId}`);
    if (policy === 'deny') network.aclDefault = 'deny';
    else delete network.aclDefault;
    return this;
  }

  addressSet(id: string, cidrs: string[]): this {
    this.t.addressSets = [...this.t.addressSets.filter((s) => s.id !== id), { id, cidrs }];
    return this;
  }

  /** A security group (default policy deny, as security groups are) holding `vifIds`. */
  group(id: string, vifIds: string[], defaultPolicy: AclDefaultPolicy = 'deny'): this {
    this.t.securityGroups = [
      ...this.t.securityGroups.filter((g) => g.id !== id),
      { id, defaultPolicy, vifIds: [...vifIds].sort() },
    ];
    return this;
  }

  /** Escape hatch for a case the helpers do not cover. */
  edit(change: (topology: PoolTopology) => void): this {
    change(this.t);
    return this;
  }

  build(): PoolTopology {
    return structuredClone(this.t);
  }

  private hostById(id: string): TopologyHost {
    const host = this.t.hosts.find((h) => h.id === id);
    if (!host) throw new Error(`no host ${id}`);
    return host;
  }
}

const hex = (n: number): string => n.toString(16).padStart(2, '0');

export const topology = (): TopologyBuilder => new TopologyBuilder();

/** A static management interface mgmt0 on eth0 (192.0.2.11/24 via 192.0.2.1), as tests vary it. */
export const managementInterface = (
  extra: Partial<TopologyHostInterface> = {},
): TopologyHostInterface => ({
  name: 'mgmt0',
  purpose: 'management',
  device: 'eth0',
  placement: 'internal',
  ipv4: { mode: 'static', address: '192.0.2.11/24', gateway: '192.0.2.1' },
  ipv6: { mode: 'none' },
  dns: ['192.0.2.53'],
  ...extra,
});
