import { evolvePool, initialPoolState, type PoolEvent, type PoolState } from '@pool/domain';

export type MigrationStep = 'requested' | 'prepared' | 'activated' | 'completed' | 'aborted';

/**
 * A migration as the read side keeps it: the decider drops a migration once it finishes, the
 * read models keep its whole history with the pool version of every step.
 */
export interface MigrationRecord {
  id: string;
  vmId: string;
  fromHostId: string;
  toHostId: string;
  status: MigrationStep;
  requestedAt: string;
  updatedAt: string;
  reason: string | null;
  versions: Record<MigrationStep, number | null>;
}

/**
 * Names a set of rows derived together (see derive-rows.ts): `pool`, `host:<id>`,
 * `network:<id>`, `vm:<id>`, `acl:<id>`, `address-set:<id>`, `security-group:<id>`,
 * `mirror:<id>`, `migration:<id>`.
 */
export type GroupKey = string;

/**
 * One pool folded with the pure domain, plus what only the read side keeps (its version, the
 * time of its last event, finished migrations). `apply` says which row groups an event may
 * have changed, so a batch re-derives only those.
 */
export class PoolFold {
  readonly state: PoolState = initialPoolState();
  readonly migrations = new Map<string, MigrationRecord>();
  version = 0;
  updatedAt = '';

  constructor(readonly poolId: string) {}

  apply(event: PoolEvent, version: number, at: string): GroupKey[] {
    // Before evolve: VifUpdated names only the VIF, and a destroyed VIF leaves the state.
    const groups = this.groupsOf(event);
    evolvePool(this.state, event);
    this.recordMigration(event, version, at);
    this.version = version;
    this.updatedAt = at;
    return groups;
  }

  /** Every group this pool has rows in, for a full derivation (start, verify). */
  allGroups(): GroupKey[] {
    const { state } = this;
    return [
      'pool',
      ...[...state.hosts.keys()].map((id) => `host:${id}`),
      ...[...state.networks.keys()].map((id) => `network:${id}`),
      ...[...state.vms.keys()].map((id) => `vm:${id}`),
      ...[...state.aclRules.keys()].map((id) => `acl:${id}`),
      ...[...state.addressSets.keys()].map((id) => `address-set:${id}`),
      ...[...state.securityGroups.keys()].map((id) => `security-group:${id}`),
      ...[...state.mirrors.keys()].map((id) => `mirror:${id}`),
      ...[...this.migrations.keys()].map((id) => `migration:${id}`),
    ];
  }

  private groupsOf(event: PoolEvent): GroupKey[] {
    // The pool row holds the version and the counts: every event changes it.
    const groups: GroupKey[] = ['pool'];
    switch (event.type) {
      case 'PoolCreated':
      case 'PoolRenamed':
        break;
      case 'HostJoined':
      case 'HostEnabled':
      case 'HostDisabled':
      case 'HostEjected':
      case 'HostNetworkRolledBack':
      case 'HostNetworkingReset':
      case 'PifRoleChanged':
      case 'ManagementPifMoved':
      case 'PifMtuChanged':
      case 'TunnelEndpointSet':
      case 'TunnelEndpointCleared':
      case 'HostInterfaceConfigured':
      case 'HostInterfaceRemoved':
      case 'BondCreated':
      case 'BondDestroyed':
        groups.push(`host:${event.data.hostId}`);
        break;
      case 'NetworkCreated':
      case 'NetworkDestroyed':
        // Every host's uplinks and traffic advice depend on the set of external networks.
        groups.push(`network:${event.data.networkId}`);
        for (const hostId of this.state.hosts.keys()) groups.push(`host:${hostId}`);
        break;
      case 'NetworkRenamed':
      case 'NetworkMtuChanged':
      case 'NetworkAclDefaultChanged':
        groups.push(`network:${event.data.networkId}`);
        break;
      case 'VmCreated':
      case 'VmRenamed':
      case 'VmStarted':
      case 'VmStopped':
      case 'VmDestroyed':
      case 'VifCreated':
      case 'VifDestroyed':
        groups.push(`vm:${event.data.vmId}`);
        break;
      case 'VifUpdated': {
        const vmId = this.state.vifs.get(event.data.vifId)?.vmId;
        if (vmId !== undefined) groups.push(`vm:${vmId}`);
        break;
      }
      case 'AclRuleCreated':
      case 'AclRuleDeleted':
        groups.push(`acl:${event.data.ruleId}`);
        break;
      case 'AddressSetCreated':
      case 'AddressSetUpdated':
      case 'AddressSetDeleted':
        groups.push(`address-set:${event.data.addressSetId}`);
        break;
      case 'SecurityGroupCreated':
      case 'SecurityGroupPolicyChanged':
      case 'SecurityGroupMemberAdded':
      case 'SecurityGroupMemberRemoved':
      case 'SecurityGroupDeleted':
        groups.push(`security-group:${event.data.groupId}`);
        break;
      case 'MirrorCreated':
      case 'MirrorDeleted':
        groups.push(`mirror:${event.data.mirrorId}`);
        break;
      case 'MigrationRequested':
      case 'MigrationPrepared':
      case 'MigrationActivated':
      case 'MigrationCompleted':
      case 'MigrationAborted':
        groups.push(`migration:${event.data.migrationId}`, `vm:${event.data.vmId}`);
        break;
      default: {
        const _exhaustive: never = event;
        void _exhaustive;
      }
    }
    // A mirror's status (realised or not, and where) follows its VMs, their hosts' endpoints and
    // its group's members: any such event re-derives every mirror (a pool has few).
    if (this.state.mirrors.size > 0 && MOVES_MIRRORS.has(event.type)) {
      for (const id of this.state.mirrors.keys()) groups.push(`mirror:${id}`);
    } else if (
      event.type === 'SecurityGroupMemberAdded' ||
      event.type === 'SecurityGroupMemberRemoved'
    ) {
      // A membership moves only the mirrors of that group.
      for (const { id, source } of this.state.mirrors.values()) {
        if (source.kind === 'group' && source.groupId === event.data.groupId) {
          groups.push(`mirror:${id}`);
        }
      }
    }
    return groups;
  }

  private recordMigration(event: PoolEvent, version: number, at: string): void {
    if (event.type === 'MigrationRequested') {
      const { migrationId, vmId, fromHostId, toHostId, requestedAt } = event.data;
      this.migrations.set(migrationId, {
        id: migrationId,
        vmId,
        fromHostId,
        toHostId,
        status: 'requested',
        requestedAt,
        updatedAt: at,
        reason: null,
        versions: {
          requested: version,
          prepared: null,
          activated: null,
          completed: null,
          aborted: null,
        },
      });
      return;
    }
    const step = MIGRATION_STEPS[event.type];
    if (step === undefined) return;
    const record = this.migrations.get((event.data as { migrationId: string }).migrationId);
    if (!record) return;
    record.status = step;
    record.updatedAt = at;
    record.versions[step] = version;
    if (event.type === 'MigrationAborted') record.reason = event.data.reason;
  }
}

/** Events that may change where a mirror's ends are, or whether a leg can be built. */
const MOVES_MIRRORS = new Set<PoolEvent['type']>([
  'HostEnabled',
  'HostDisabled',
  'HostEjected',
  'TunnelEndpointSet',
  'TunnelEndpointCleared',
  'PifRoleChanged',
  'VmStarted',
  'VmStopped',
  'VmDestroyed',
  'VifCreated',
  'VifDestroyed',
  'MigrationRequested',
  'MigrationPrepared',
  'MigrationActivated',
  'MigrationCompleted',
  'MigrationAborted',
]);

const MIGRATION_STEPS: Partial<Record<PoolEvent['type'], MigrationStep>> = {
  MigrationPrepared: 'prepared',
  MigrationActivated: 'activated',
  MigrationCompleted: 'completed',
  MigrationAborted: 'aborted',
};
