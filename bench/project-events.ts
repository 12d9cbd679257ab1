import {
  decidePool,
  evolvePool,
  initialPoolState,
  isDomainError,
  poolStreamId,
  type PoolCommand,
  type PoolCommandType,
  type PoolEvent,
  type PoolState,
} from '@pool/domain';
import type { NewEvent, PostgresEventStore } from '@pool/event-store';

/*
 * Realistic pool logs for the projection bench, decided by the real decider so every event is
 * one the master could have written: hosts with three NICs, VLAN networks on the VM NIC and a
 * storage network, VMs with one or two VIFs (IPv4, some IPv6, some QoS), ACL rules and
 * mirrors, then churn (VMs started, stopped, migrated, renamed, created and destroyed, VIF
 * addresses changed, rules added and removed) until the pool holds its share of events.
 */

type DataOf<T extends PoolCommandType> = Extract<PoolCommand, { type: T }>['data'];

/** A deterministic PRNG (mulberry32), so two runs write the same log. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class PoolWriter {
  readonly state: PoolState = initialPoolState();
  /** Events decided and not yet appended, one array per command. */
  pending: PoolEvent[][] = [];
  version = 0;
  events = 0;
  private vmCount = 0;
  private ruleCount = 0;
  private migrationCount = 0;

  constructor(
    readonly poolId: string,
    private readonly rand: () => number,
    private readonly now: () => string = () => new Date().toISOString(),
  ) {}

  /** Decides and folds one command; a refusal (a rule of the pool) is skipped. */
  run<T extends PoolCommandType>(type: T, data: DataOf<T>): PoolEvent[] {
    const command = { type, data, metadata: { now: this.now(), actor: 'bench' } } as PoolCommand;
    let events: PoolEvent[];
    try {
      events = decidePool(command, this.state);
    } catch (error) {
      if (isDomainError(error)) return [];
      throw error;
    }
    for (const event of events) evolvePool(this.state, event);
    if (events.length > 0) this.pending.push(events);
    this.events += events.length;
    return events;
  }

  /** Appends what is pending, `perAppend` commands per append request. */
  async flush(store: PostgresEventStore, perAppend = 200): Promise<void> {
    const batches = this.pending;
    this.pending = [];
    for (let i = 0; i < batches.length; i += perAppend) {
      const events: NewEvent[] = batches
        .slice(i, i + perAppend)
        .flat()
        .map((e) => ({ type: e.type, schemaVersion: e.schemaVersion, data: e.data }));
      const result = await store.append(poolStreamId(this.poolId), events, {
        expectedVersion: this.version,
      });
      this.version = result.nextExpectedVersion;
    }
  }

  /** The pool's furniture: `hosts` hosts, 8 VLAN networks, a storage and a private network. */
  seed(hosts: number, vms: number): void {
    const p = this.poolId;
    this.run('CreatePool', { poolId: p, name: `bench ${p}` });
    for (let h = 0; h < hosts; h++) {
      this.run('JoinHost', {
        hostId: `h${h}`,
        name: `host ${h}`,
        address: `10.${h >> 8}.${h & 255}.1`,
        managementDevice: 'eth0',
        pifs: ['eth0', 'eth1', 'eth2'].map((device, i) => ({
          device,
          mac: pifMac(this.poolIndex(), h, i),
          mtu: 1500,
          speedMbps: 10_000,
          carrier: true,
        })),
      });
      this.run('SetPifRole', { hostId: `h${h}`, device: 'eth1', role: 'vm' });
      this.run('SetPifRole', { hostId: `h${h}`, device: 'eth2', role: 'storage' });
    }
    for (let n = 0; n < 8; n++) {
      this.run('CreateNetwork', {
        networkId: `vlan${100 + n}`,
        name: `vlan ${100 + n}`,
        purpose: 'vm',
        kind: 'external',
        device: 'eth1',
        vlan: 100 + n,
      });
    }
    this.run('CreateNetwork', {
      networkId: 'storage',
      name: 'storage',
      purpose: 'storage',
      kind: 'external',
      device: 'eth2',
    });
    this.run('CreateNetwork', {
      networkId: 'backend',
      name: 'backend',
      purpose: 'vm',
      kind: 'private',
    });
    for (let n = 0; n < 8; n++) {
      this.rule({ kind: 'network', networkId: `vlan${100 + n}` });
    }
    for (let v = 0; v < vms; v++) this.newVm(hosts);
  }

  /** One step of churn: a mix weighted like a busy pool's day. */
  churn(hosts: number): void {
    const vmIds = [...this.state.vms.keys()];
    const vmId = vmIds[Math.floor(this.rand() * vmIds.length)];
    const r = this.rand();
    if (vmId === undefined || r < 0.12) return this.newVm(hosts);
    const vm = this.state.vms.get(vmId)!;
    if (r < 0.3) {
      const vifId = this.state.indexes.vifsByVm.get(vmId)?.get(0);
      const vif = vifId === undefined ? undefined : this.state.vifs.get(vifId);
      if (vif) {
        const ipv4 = `10.${100 + (this.vmCount % 50)}.${Math.floor(this.rand() * 250)}.${1 + Math.floor(this.rand() * 250)}`;
        this.run('UpdateVif', { vifId: vif.id, ipv4, portSecurity: this.rand() < 0.5 });
      }
    } else if (r < 0.42) {
      if (vm.powerState === 'running') this.run('StopVm', { vmId });
      else this.run('StartVm', { vmId, hostId: this.host(hosts) });
    } else if (r < 0.62) {
      if (vm.powerState !== 'running' || this.state.indexes.migrationByVm.has(vmId)) return;
      const migrationId = `mig${++this.migrationCount}`;
      // Half the VMs share `backend`: the bench moves them all the same, as it always has.
      this.run('RequestMigration', {
        migrationId,
        vmId,
        toHostId: this.host(hosts),
        acceptIsolation: true,
      });
      if (!this.state.migrations.has(migrationId)) return;
      this.run('PrepareMigration', { migrationId });
      if (this.rand() < 0.1) {
        this.run('AbortMigration', { migrationId, reason: 'target never reported ready' });
        return;
      }
      this.run('ActivateMigration', { migrationId });
      this.run('CompleteMigration', { migrationId });
    } else if (r < 0.72) {
      this.run('RenameVm', { vmId, name: `${vmId} ${Math.floor(this.rand() * 1000)}` });
    } else if (r < 0.82) {
      const rules = [...this.state.aclRules.keys()];
      if (rules.length > 40 && this.rand() < 0.5) {
        this.run('DeleteAclRule', { ruleId: rules[Math.floor(this.rand() * rules.length)]! });
      } else {
        const vifId = this.state.indexes.vifsByVm.get(vmId)?.get(0);
        if (vifId !== undefined) this.rule({ kind: 'vif', vifId });
      }
    } else if (r < 0.9) {
      if (this.state.indexes.migrationByVm.has(vmId)) return;
      if (vm.powerState === 'running') this.run('StopVm', { vmId });
      this.run('DestroyVm', { vmId });
    } else {
      const vifId = this.state.indexes.vifsByVm.get(vmId)?.get(0);
      if (vifId !== undefined && this.state.mirrors.size < 20) {
        this.run('CreateMirror', {
          mirrorId: `mirror${this.ruleCount++}`,
          source: { kind: 'vif', vifId },
          direction: 'both',
          destinationVifId: vifId,
        });
      } else if (this.state.mirrors.size > 0) {
        this.run('DeleteMirror', { mirrorId: [...this.state.mirrors.keys()][0]! });
      }
    }
  }

  private newVm(hosts: number): void {
    const n = ++this.vmCount;
    const vmId = `vm${n}`;
    this.run('CreateVm', { vmId, name: `vm ${n}` });
    const network = `vlan${100 + (n % 8)}`;
    this.run('CreateVif', {
      vifId: `${vmId}-0`,
      vmId,
      device: 0,
      networkId: network,
      ipv4: `10.${n >> 16}.${(n >> 8) & 255}.${n & 255}`,
      ipv6: n % 3 === 0 ? `2001:db8:${(n >> 16).toString(16)}::${(n & 0xffff).toString(16)}` : null,
      qos:
        n % 4 === 0
          ? { ingressKbps: 100_000, ingressBurstKb: 1000, egressKbps: 100_000, egressBurstKb: 1000 }
          : null,
    });
    if (n % 2 === 0) {
      this.run('CreateVif', { vifId: `${vmId}-1`, vmId, device: 1, networkId: 'backend' });
    }
    this.run('StartVm', { vmId, hostId: this.host(hosts) });
  }

  private rule(scope: { kind: 'network'; networkId: string } | { kind: 'vif'; vifId: string }) {
    const port = 1 + Math.floor(this.rand() * 60_000);
    this.run('CreateAclRule', {
      ruleId: `rule${++this.ruleCount}`,
      scope,
      direction: this.rand() < 0.5 ? 'from-vm' : 'to-vm',
      priority: Math.floor(this.rand() * 32_000),
      match: { protocol: 'tcp', cidr: '10.0.0.0/8', portFrom: port, portTo: port },
      action: this.rand() < 0.8 ? 'allow' : 'drop',
    });
  }

  private host(hosts: number): string {
    return `h${Math.floor(this.rand() * hosts)}`;
  }

  private poolIndex(): number {
    return Number(/\d+$/.exec(this.poolId)?.[0] ?? 0);
  }
}

const hex = (n: number): string => (n & 255).toString(16).padStart(2, '0');
const pifMac = (pool: number, host: number, nic: number): string =>
  `02:0a:${hex(pool)}:${hex(host >> 8)}:${hex(host)}:${hex(nic)}`;

/**
 * Writes about `total` events over `pools` pools: each seeded (hosts, networks, VMs), then
 * churned until it holds its share. Appends go through the event store in large requests.
 */
export async function writePoolLogs(
  store: PostgresEventStore,
  options: {
    pools: number;
    total: number;
    hosts: number;
    vms: number;
    seed?: number;
    /** Run after each append of a writer's pending commands, as the master's keepers do. */
    afterFlush?: (writer: PoolWriter) => Promise<unknown>;
  },
): Promise<PoolWriter[]> {
  const rand = random(options.seed ?? 42);
  const writers = Array.from(
    { length: options.pools },
    (_, i) => new PoolWriter(`bench${i}`, rand),
  );
  const share = Math.ceil(options.total / options.pools);
  await Promise.all(
    writers.map(async (writer) => {
      writer.seed(options.hosts, options.vms);
      while (writer.events < share) {
        writer.churn(options.hosts);
        if (writer.pending.length < 1_000) continue;
        await writer.flush(store);
        await options.afterFlush?.(writer);
      }
      await writer.flush(store);
      await options.afterFlush?.(writer);
    }),
  );
  return writers;
}
