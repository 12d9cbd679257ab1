import {
  decidePool,
  evolvePool,
  initialPoolState,
  poolStreamId,
  type PoolCommand,
  type PoolCommandType,
  type PoolEvent,
  type PoolState,
} from '@pool/domain';
import type { PostgresEventStore } from '@pool/event-store';

type DataOf<T extends PoolCommandType> = Extract<PoolCommand, { type: T }>['data'];

/**
 * A pool driven through the real decider, for tests: each command's events are kept until
 * `flush` appends them, one append per command, as the master would.
 */
export class ScriptedPool {
  readonly state: PoolState = initialPoolState();
  /** Every event decided so far, flushed or not. */
  readonly history: PoolEvent[] = [];
  private pending: PoolEvent[][] = [];
  version = 0;

  constructor(
    readonly poolId: string,
    private readonly now = () => new Date().toISOString(),
  ) {}

  run<T extends PoolCommandType>(type: T, data: DataOf<T>): PoolEvent[] {
    const command = { type, data, metadata: { now: this.now(), actor: 'test' } } as PoolCommand;
    const events = decidePool(command, this.state);
    for (const event of events) evolvePool(this.state, event);
    this.history.push(...events);
    if (events.length > 0) this.pending.push(events);
    return events;
  }

  async flush(store: PostgresEventStore): Promise<number> {
    const batches = this.pending;
    this.pending = [];
    for (const events of batches) {
      const result = await store.append(
        poolStreamId(this.poolId),
        events.map((e) => ({ type: e.type, schemaVersion: e.schemaVersion, data: e.data })),
        { expectedVersion: this.version },
      );
      this.version = result.nextExpectedVersion;
    }
    return this.version;
  }
}

export const pifs = (n: number, devices = ['eth0', 'eth1', 'eth2']) =>
  devices.map((device, i) => ({
    device,
    mac: `02:00:00:${n.toString(16).padStart(2, '0')}:00:${(i + 1).toString(16).padStart(2, '0')}`,
    mtu: 1500,
    speedMbps: 10_000,
    carrier: true,
  }));

/**
 * Every kind of object, changed and deleted: hosts (one ejected), a bond, PIF roles, networks
 * (one destroyed), VMs and VIFs (one of each destroyed), ACL rules and mirrors (some deleted,
 * some by cascade), a completed and an aborted migration, one still active, and the security
 * groups and address sets of scriptSecurityGroups.
 */
export function scriptFullPool(pool: ScriptedPool): void {
  pool.run('CreatePool', { poolId: pool.poolId, name: `pool ${pool.poolId}` });
  for (const [i, host] of ['h1', 'h2', 'h3', 'h4'].entries()) {
    pool.run('JoinHost', {
      hostId: host,
      name: host,
      address: `10.0.0.${i + 1}`,
      pifs: pifs(i + 1, ['eth0', 'eth1', 'eth2', 'eth3']),
      managementDevice: 'eth0',
    });
  }
  pool.run('CreateBond', {
    bondId: 'b1',
    hostId: 'h1',
    device: 'bond0',
    members: ['eth2', 'eth3'],
    mode: 'active-backup',
  });
  pool.run('SetPifRole', { hostId: 'h2', device: 'eth1', role: 'storage' });
  pool.run('SetPifMtu', { hostId: 'h2', device: 'eth1', mtu: 9000 });
  pool.run('CreateNetwork', {
    networkId: 'n-vm',
    name: 'vm traffic',
    purpose: 'vm',
    kind: 'external',
    device: 'eth0',
    vlan: 100,
  });
  pool.run('CreateNetwork', {
    networkId: 'n-storage',
    name: 'storage',
    purpose: 'storage',
    kind: 'external',
    device: 'eth0',
    vlan: 200,
  });
  pool.run('CreateNetwork', {
    networkId: 'n-priv',
    name: 'private',
    purpose: 'vm',
    kind: 'private',
  });
  pool.run('CreateNetwork', {
    networkId: 'n-gone',
    name: 'gone',
    purpose: 'vm',
    kind: 'external',
    device: 'eth1',
  });
  pool.run('UpdateNetwork', { networkId: 'n-vm', name: 'vm', mtu: 9000 });
  for (const vm of ['vm1', 'vm2', 'vm3', 'vm4']) pool.run('CreateVm', { vmId: vm, name: vm });
  pool.run('RenameVm', { vmId: 'vm4', name: 'vm four' });
  const vif = (
    vifId: string,
    vmId: string,
    device: number,
    networkId: string,
    ipv4: string | null,
  ) => pool.run('CreateVif', { vifId, vmId, device, networkId, ipv4, ipv6: null });
  vif('vif1', 'vm1', 0, 'n-vm', '192.168.0.1');
  vif('vif1b', 'vm1', 1, 'n-priv', null);
  vif('vif2', 'vm2', 0, 'n-vm', '192.168.0.2');
  vif('vif3', 'vm3', 0, 'n-vm', '192.168.0.3');
  vif('vif4', 'vm4', 0, 'n-vm', '192.168.0.4');
  pool.run('UpdateVif', { vifId: 'vif2', ipv6: '2001:db8::2', portSecurity: true });
  pool.run('UpdateVif', {
    vifId: 'vif3',
    qos: { ingressKbps: 1000, ingressBurstKb: 100, egressKbps: 2000, egressBurstKb: 200 },
  });
  for (const [vm, host] of [
    ['vm1', 'h1'],
    ['vm2', 'h1'],
    ['vm3', 'h2'],
    ['vm4', 'h2'],
  ] as const) {
    pool.run('StartVm', { vmId: vm, hostId: host });
  }
  const acl = (
    ruleId: string,
    scope: { kind: 'network'; networkId: string } | { kind: 'vif'; vifId: string },
    priority: number,
  ) =>
    pool.run('CreateAclRule', {
      ruleId,
      scope,
      direction: 'from-vm',
      priority,
      match: { protocol: 'tcp', cidr: '10.0.0.0/8', portFrom: 22, portTo: 22 },
      action: 'allow',
    });
  acl('acl1', { kind: 'network', networkId: 'n-vm' }, 100);
  acl('acl2', { kind: 'network', networkId: 'n-vm' }, 200);
  acl('acl3', { kind: 'vif', vifId: 'vif4' }, 100);
  pool.run('DeleteAclRule', { ruleId: 'acl2' });
  pool.run('CreateMirror', {
    mirrorId: 'm1',
    source: { kind: 'network', networkId: 'n-vm' },
    direction: 'both',
    destinationVifId: 'vif1b',
  });
  pool.run('CreateMirror', {
    mirrorId: 'm2',
    source: { kind: 'vif', vifId: 'vif4' },
    direction: 'ingress',
    destinationVifId: 'vif1b',
  });
  pool.run('CreateMirror', {
    mirrorId: 'm3',
    source: { kind: 'vif', vifId: 'vif2' },
    direction: 'egress',
    destinationVifId: 'vif1b',
  });
  pool.run('DeleteMirror', { mirrorId: 'm3' });
  // Completed: vm3 moves h2 → h3; its address registry row moves with it.
  pool.run('RequestMigration', { migrationId: 'mig1', vmId: 'vm3', toHostId: 'h3' });
  pool.run('PrepareMigration', { migrationId: 'mig1' });
  pool.run('ActivateMigration', { migrationId: 'mig1' });
  pool.run('CompleteMigration', { migrationId: 'mig1' });
  // Aborted: vm2 stays on h1.
  pool.run('RequestMigration', { migrationId: 'mig2', vmId: 'vm2', toHostId: 'h2' });
  pool.run('AbortMigration', { migrationId: 'mig2', reason: 'target never reported ready' });
  // Still active: vm1 h1 → h2, prepared.
  pool.run('RequestMigration', { migrationId: 'mig3', vmId: 'vm1', toHostId: 'h2' });
  pool.run('PrepareMigration', { migrationId: 'mig3' });
  scriptSecurityGroups(pool);
  // Deletions: a VIF with an ACL rule and a mirror on it (cascade; it leaves its group too), a VM, a network, a host.
  pool.run('StopVm', { vmId: 'vm4' });
  pool.run('DestroyVm', { vmId: 'vm4' });
  pool.run('DestroyNetwork', { networkId: 'n-gone' });
  pool.run('DisableHost', { hostId: 'h4' });
  pool.run('EjectHost', { hostId: 'h4' });
  pool.run('DestroyBond', { bondId: 'b1' });
  pool.run('CreateBond', {
    bondId: 'b2',
    hostId: 'h1',
    device: 'bond1',
    members: ['eth2', 'eth3'],
    mode: 'lacp',
  });
  pool.run('RenamePool', { name: `renamed ${pool.poolId}` });
}

/**
 * Address sets (one updated, one deleted), security groups (one deleted with its rule and
 * mirror by cascade, one keeping a member that is destroyed later), rules scoped to a group
 * with each kind of remote, a stateless one, and a network turned to default deny.
 */
function scriptSecurityGroups(pool: ScriptedPool): void {
  pool.run('CreateAddressSet', {
    addressSetId: 'as-admin',
    name: 'admins',
    cidrs: ['2001:db8::/32', '10.1.2.3'],
  });
  pool.run('UpdateAddressSet', {
    addressSetId: 'as-admin',
    cidrs: ['2001:db8::/32', '10.0.0.0/8', '192.168.10.5'],
  });
  pool.run('CreateAddressSet', { addressSetId: 'as-gone', name: 'gone', cidrs: [] });
  pool.run('DeleteAddressSet', { addressSetId: 'as-gone' });
  pool.run('CreateSecurityGroup', { groupId: 'sg-web', name: 'web' });
  pool.run('CreateSecurityGroup', { groupId: 'sg-db', name: 'db', defaultPolicy: 'allow' });
  pool.run('CreateSecurityGroup', { groupId: 'sg-gone', name: 'gone' });
  for (const [groupId, vifId] of [
    ['sg-web', 'vif1'],
    ['sg-web', 'vif2'],
    ['sg-web', 'vif4'],
    ['sg-web', 'vif3'],
    ['sg-db', 'vif3'],
    ['sg-gone', 'vif2'],
  ] as const) {
    pool.run('AddSecurityGroupMember', { groupId, vifId });
  }
  pool.run('RemoveSecurityGroupMember', { groupId: 'sg-web', vifId: 'vif3' });
  pool.run('SetSecurityGroupPolicy', { groupId: 'sg-gone', defaultPolicy: 'allow' });
  const rule = (ruleId: string, groupId: string, direction: 'from-vm' | 'to-vm', match: object) =>
    pool.run('CreateAclRule', {
      ruleId,
      scope: { kind: 'group', groupId },
      direction,
      priority: 100,
      match: { protocol: 'any', ...match },
      action: 'allow',
    });
  rule('sg-web-https', 'sg-web', 'to-vm', {
    protocol: 'tcp',
    addressSetId: 'as-admin',
    portFrom: 443,
    portTo: 443,
  });
  rule('sg-web-out', 'sg-web', 'from-vm', {});
  rule('sg-gone-in', 'sg-gone', 'to-vm', {});
  pool.run('CreateAclRule', {
    ruleId: 'sg-db-pg',
    scope: { kind: 'group', groupId: 'sg-db' },
    direction: 'to-vm',
    priority: 100,
    match: { protocol: 'tcp', remoteGroupId: 'sg-web', portFrom: 5432, portTo: 5432 },
    action: 'allow',
    stateless: true,
  });
  pool.run('CreateMirror', {
    mirrorId: 'm-gone',
    source: { kind: 'group', groupId: 'sg-gone' },
    direction: 'both',
    destinationVifId: 'vif1b',
  });
  pool.run('DeleteSecurityGroup', { groupId: 'sg-gone' });
  pool.run('SetNetworkAclDefault', { networkId: 'n-vm', defaultPolicy: 'deny' });
}
