import {
  type AclRuleView,
  type AdviceView,
  type CounterView,
  type MigrationView,
  type MirrorView,
  portName,
  type RuleHitsView,
  type ScopeView,
} from '@pool/contracts';
import { In, type DataSource, type SelectQueryBuilder } from 'typeorm';
import { AdviceRow, HostRow } from '../../read-models/entities/host-rows.entity.js';
import { AclCounterRow, CounterRow } from '../../read-models/entities/host-status.entity.js';
import { MigrationRow } from '../../read-models/entities/migration-row.entity.js';
import { AclRuleRow, MirrorRow } from '../../read-models/entities/policy-rows.entity.js';
import { VifRow } from '../../read-models/entities/vm-rows.entity.js';
import type { CountersQuery, ListQuery, MigrationsQuery } from '../dto/list-queries.js';
import type { Page } from '../http/pagination.js';
import { keysetPage, mapPage } from './keyset-page.js';
import { iso, num, numOrNull, requirePool } from './sql-fragments.js';

const scope = (kind: string, id: string): ScopeView => {
  if (kind === 'network') return { kind: 'network', networkId: id };
  if (kind === 'group') return { kind: 'group', groupId: id };
  return { kind: 'vif', vifId: id };
};

/** Newest first: by the version that requested them. */
export async function listMigrations(
  db: DataSource,
  pool: string,
  query: MigrationsQuery,
): Promise<Page<MigrationView>> {
  await requirePool(db, pool);
  const narrow = (q: SelectQueryBuilder<MigrationRow>) => {
    if (query.status === 'active') {
      q.andWhere('r.status IN (:...active)', { active: ['requested', 'prepared', 'activated'] });
    } else if (query.status !== undefined) {
      q.andWhere('r.status = :status', { status: query.status });
    }
  };
  const key: (keyof MigrationRow)[] = ['requestedVersion', 'id'];
  const page = await keysetPage(
    db,
    { entity: MigrationRow, key, descending: true, pool, narrow },
    query,
  );
  return mapPage(page, (rows) => rows.map(migrationView));
}

const migrationView = (m: MigrationRow): MigrationView => ({
  id: m.id,
  vmId: m.vmId,
  fromHostId: m.fromHostId,
  toHostId: m.toHostId,
  status: m.status,
  requestedAt: iso(m.requestedAt),
  updatedAt: iso(m.updatedAt),
  reason: m.reason,
  versions: {
    requested: num(m.requestedVersion),
    prepared: numOrNull(m.preparedVersion),
    activated: numOrNull(m.activatedVersion),
    completed: numOrNull(m.completedVersion),
    aborted: numOrNull(m.abortedVersion),
  },
});

export async function listAcls(
  db: DataSource,
  pool: string,
  query: ListQuery,
): Promise<Page<AclRuleView>> {
  await requirePool(db, pool);
  const page = await keysetPage(db, { entity: AclRuleRow, key: ['id'], pool }, query);
  const hits = await ruleHits(
    db,
    pool,
    page.items.map((r) => r.id),
  );
  return mapPage(page, (rows) =>
    rows.map((r) => ({
      id: r.id,
      scope: scope(r.scopeKind, r.scopeId),
      direction: r.direction,
      priority: r.priority,
      match: {
        protocol: r.protocol,
        cidr: r.cidr,
        addressSetId: r.addressSetId,
        remoteGroupId: r.remoteGroupId,
        portFrom: r.portFrom,
        portTo: r.portTo,
      },
      action: r.action,
      stateless: r.stateless,
      hits: hits.get(r.id) ?? { packets: 0, bytes: 0, hosts: [] },
    })),
  );
}

/** The hosts' reported hits of `rules`, per host and summed over them. */
async function ruleHits(
  db: DataSource,
  pool: string,
  rules: string[],
): Promise<Map<string, RuleHitsView>> {
  const rows = rules.length
    ? await db.getRepository(AclCounterRow).find({
        where: { poolId: pool, ruleId: In(rules) },
        order: { ruleId: 'ASC', hostId: 'ASC' },
      })
    : [];
  const hits = new Map<string, RuleHitsView>();
  for (const row of rows) {
    const [packets, bytes] = [num(row.packets), num(row.bytes)];
    const rule = hits.get(row.ruleId) ?? { packets: 0, bytes: 0, hosts: [] };
    rule.packets += packets;
    rule.bytes += bytes;
    rule.hosts.push({ hostId: row.hostId, packets, bytes, updatedAt: iso(row.updatedAt) });
    hits.set(row.ruleId, rule);
  }
  return hits;
}

export async function listMirrors(
  db: DataSource,
  pool: string,
  query: ListQuery,
): Promise<Page<MirrorView>> {
  await requirePool(db, pool);
  const page = await keysetPage(db, { entity: MirrorRow, key: ['id'], pool }, query);
  return mapPage(page, (rows) =>
    rows.map((m) => ({
      id: m.id,
      source: scope(m.sourceKind, m.sourceId),
      direction: m.direction,
      destinationVifId: m.destinationVifId,
      status: { state: m.state, monitorHost: m.monitorHostId, problems: m.problems },
    })),
  );
}

export async function listCounters(
  db: DataSource,
  pool: string,
  query: CountersQuery,
): Promise<Page<CounterView>> {
  await requirePool(db, pool);
  const narrow = (q: SelectQueryBuilder<CounterRow>) => {
    if (query.host !== undefined) q.andWhere('r.hostId = :host', { host: query.host });
  };
  const key: (keyof CounterRow)[] = ['hostId', 'port'];
  const page = await keysetPage(db, { entity: CounterRow, key, pool, narrow }, query);
  return mapPage(page, async (rows) => {
    // Hosts report datapath port names (`pnv-<hash of the VIF id>`): name the VIF behind each.
    const vifs = await db
      .getRepository(VifRow)
      .find({ where: { poolId: pool }, select: { id: true } });
    const vifOfPort = new Map(vifs.map((v) => [portName(v.id), v.id]));
    for (const v of vifs) vifOfPort.set(v.id, v.id);
    return rows.map((c) => ({
      hostId: c.hostId,
      port: c.port,
      vifId: vifOfPort.get(c.port) ?? null,
      rxPackets: num(c.rxPackets),
      txPackets: num(c.txPackets),
      rxBytes: num(c.rxBytes),
      txBytes: num(c.txBytes),
      updatedAt: iso(c.updatedAt),
    }));
  });
}

/** Traffic-type advice: NICs where management, VM and storage traffic share a NIC. */
export async function listAdvice(
  db: DataSource,
  pool: string,
  query: ListQuery,
): Promise<Page<AdviceView>> {
  await requirePool(db, pool);
  const key: (keyof AdviceRow)[] = ['hostId', 'device'];
  const page = await keysetPage(db, { entity: AdviceRow, key, pool }, query);
  return mapPage(page, async (rows) => {
    const hosts = await db.getRepository(HostRow).find({
      where: { poolId: pool, id: In(rows.map((a) => a.hostId)) },
    });
    const names = new Map(hosts.map((h) => [h.id, h.name]));
    return rows.map((a) => ({
      hostId: a.hostId,
      hostName: names.get(a.hostId) ?? a.hostId,
      device: a.device,
      traffic: a.traffic,
      message: a.message,
    }));
  });
}
