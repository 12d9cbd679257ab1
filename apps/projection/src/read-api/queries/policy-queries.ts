import { portName } from '@pool/vswitch';
import { In, type DataSource } from 'typeorm';
import { AdviceRow, HostRow } from '../../read-models/entities/host-rows.entity.js';
import { CounterRow } from '../../read-models/entities/host-status.entity.js';
import { MigrationRow } from '../../read-models/entities/migration-row.entity.js';
import { AclRuleRow, MirrorRow } from '../../read-models/entities/policy-rows.entity.js';
import { VifRow } from '../../read-models/entities/vm-rows.entity.js';
import type { CountersQuery, ListQuery, MigrationsQuery } from '../dto/list-queries.js';
import { decodeCursor, DEFAULT_LIMIT, toPage, type Page } from '../http/pagination.js';
import type {
  AclRuleView,
  AdviceView,
  CounterView,
  MigrationView,
  MirrorView,
  ScopeView,
} from './read-views.js';
import { iso, num, numOrNull, requirePool } from './sql-fragments.js';

const scope = (kind: string, id: string): ScopeView =>
  kind === 'network' ? { kind: 'network', networkId: id } : { kind: 'vif', vifId: id };

/** Newest first: by the version that requested them. */
export async function listMigrations(
  db: DataSource,
  pool: string,
  query: MigrationsQuery,
): Promise<Page<MigrationView>> {
  await requirePool(db, pool);
  const limit = query.limit ?? DEFAULT_LIMIT;
  const after = decodeCursor(query.cursor, 2);
  const q = db
    .getRepository(MigrationRow)
    .createQueryBuilder('m')
    .where('m.poolId = :pool', { pool })
    .orderBy('m.requestedVersion', 'DESC')
    .addOrderBy('m.id', 'DESC')
    .take(limit + 1);
  if (query.status === 'active') {
    q.andWhere('m.status IN (:...active)', { active: ['requested', 'prepared', 'activated'] });
  } else if (query.status !== undefined) {
    q.andWhere('m.status = :status', { status: query.status });
  }
  if (after) {
    q.andWhere('(m.requestedVersion, m.id) < (:version, :id)', {
      version: after[0],
      id: String(after[1]),
    });
  }
  return toPage(
    await q.getMany(),
    limit,
    (m) => [num(m.requestedVersion), m.id],
    (m) => ({
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
    }),
  );
}

export async function listAcls(
  db: DataSource,
  pool: string,
  query: ListQuery,
): Promise<Page<AclRuleView>> {
  await requirePool(db, pool);
  const limit = query.limit ?? DEFAULT_LIMIT;
  const after = decodeCursor(query.cursor, 1);
  const q = db
    .getRepository(AclRuleRow)
    .createQueryBuilder('r')
    .where('r.poolId = :pool', { pool })
    .orderBy('r.id')
    .take(limit + 1);
  if (after) q.andWhere('r.id > :after', { after: after[0] });
  return toPage(
    await q.getMany(),
    limit,
    (r) => [r.id],
    (r) => ({
      id: r.id,
      scope: scope(r.scopeKind, r.scopeId),
      direction: r.direction,
      priority: r.priority,
      match: { protocol: r.protocol, cidr: r.cidr, portFrom: r.portFrom, portTo: r.portTo },
      action: r.action,
    }),
  );
}

export async function listMirrors(
  db: DataSource,
  pool: string,
  query: ListQuery,
): Promise<Page<MirrorView>> {
  await requirePool(db, pool);
  const limit = query.limit ?? DEFAULT_LIMIT;
  const after = decodeCursor(query.cursor, 1);
  const q = db
    .getRepository(MirrorRow)
    .createQueryBuilder('m')
    .where('m.poolId = :pool', { pool })
    .orderBy('m.id')
    .take(limit + 1);
  if (after) q.andWhere('m.id > :after', { after: after[0] });
  return toPage(
    await q.getMany(),
    limit,
    (m) => [m.id],
    (m) => ({
      id: m.id,
      source: scope(m.sourceKind, m.sourceId),
      direction: m.direction,
      destinationVifId: m.destinationVifId,
    }),
  );
}

export async function listCounters(
  db: DataSource,
  pool: string,
  query: CountersQuery,
): Promise<Page<CounterView>> {
  await requirePool(db, pool);
  const limit = query.limit ?? DEFAULT_LIMIT;
  const after = decodeCursor(query.cursor, 2);
  const q = db
    .getRepository(CounterRow)
    .createQueryBuilder('c')
    .where('c.poolId = :pool', { pool })
    .orderBy('c.hostId')
    .addOrderBy('c.port')
    .take(limit + 1);
  if (query.host !== undefined) q.andWhere('c.hostId = :host', { host: query.host });
  if (after) {
    q.andWhere('(c.hostId, c.port) > (:afterHost, :afterPort)', {
      afterHost: String(after[0]),
      afterPort: String(after[1]),
    });
  }
  const page = toPage(
    await q.getMany(),
    limit,
    (c) => [c.hostId, c.port],
    (c) => c,
  );
  // Hosts report datapath port names (`pnv-<hash of the VIF id>`): name the VIF behind each.
  const vifs = await db
    .getRepository(VifRow)
    .find({ where: { poolId: pool }, select: { id: true } });
  const vifOfPort = new Map(vifs.map((v) => [portName(v.id), v.id]));
  for (const v of vifs) vifOfPort.set(v.id, v.id);
  return {
    nextCursor: page.nextCursor,
    items: page.items.map((c) => ({
      hostId: c.hostId,
      port: c.port,
      vifId: vifOfPort.get(c.port) ?? null,
      rxPackets: num(c.rxPackets),
      txPackets: num(c.txPackets),
      rxBytes: num(c.rxBytes),
      txBytes: num(c.txBytes),
      updatedAt: iso(c.updatedAt),
    })),
  };
}

/** Traffic-type advice: NICs where management, VM and storage traffic share a NIC. */
export async function listAdvice(
  db: DataSource,
  pool: string,
  query: ListQuery,
): Promise<Page<AdviceView>> {
  await requirePool(db, pool);
  const limit = query.limit ?? DEFAULT_LIMIT;
  const after = decodeCursor(query.cursor, 2);
  const q = db
    .getRepository(AdviceRow)
    .createQueryBuilder('a')
    .where('a.poolId = :pool', { pool })
    .orderBy('a.hostId')
    .addOrderBy('a.device')
    .take(limit + 1);
  if (after) {
    q.andWhere('(a.hostId, a.device) > (:afterHost, :afterDevice)', {
      afterHost: String(after[0]),
      afterDevice: String(after[1]),
    });
  }
  const page = toPage(
    await q.getMany(),
    limit,
    (a) => [a.hostId, a.device],
    (a) => a,
  );
  const hosts = await db.getRepository(HostRow).find({
    where: { poolId: pool, id: In(page.items.map((a) => a.hostId)) },
  });
  const names = new Map(hosts.map((h) => [h.id, h.name]));
  return {
    nextCursor: page.nextCursor,
    items: page.items.map((a) => ({
      hostId: a.hostId,
      hostName: names.get(a.hostId) ?? a.hostId,
      device: a.device,
      traffic: a.traffic,
      message: a.message,
    })),
  };
}
