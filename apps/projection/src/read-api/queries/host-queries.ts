import {
  type HostDetailView,
  type HostView,
  type NetworkHoldReport,
  poolStreamId,
} from '@pool/contracts';
import { ageOfStreamEvents, readStreamVersion, type LogQueryable } from '@pool/event-store';
import type { DataSource } from 'typeorm';
import { BondRow, PifRow } from '../../read-models/entities/host-rows.entity.js';
import { HostPortRow } from '../../read-models/entities/host-status.entity.js';
import type { HostsQuery } from '../dto/list-queries.js';
import { decodeCursor, DEFAULT_LIMIT, toPage, type Page } from '../http/pagination.js';
import { iso, notFound, numOrNull, requirePool } from './sql-fragments.js';

interface HostStatusSqlRow {
  id: string;
  name: string;
  address: string;
  enabled: boolean;
  management: string | null;
  tunnel_device: string | null;
  tunnel_address: string | null;
  interfaces: HostView['interfaces'];
  applied_version: string | null;
  last_report_at: Date | null;
  digest: string | null;
  drift: number | null;
  held: NetworkHoldReport | null;
  running_vms: string;
}

/**
 * Hosts with their convergence: lag in events is the pool's head version in the log minus the
 * version the host applied; lag in seconds is the age of the oldest event it has not applied.
 */
const HOSTS_SQL = `
  SELECT h.id, h.name, h.address, h.enabled, h.management, h.tunnel_device, h.tunnel_address,
         h.interfaces, s.applied_version, s.last_report_at,
         s.digest, s.drift, s.held,
         (SELECT count(*) FROM rm_vms v
           WHERE v.pool_id = h.pool_id AND v.host_id = h.id AND v.power_state = 'running')
           AS running_vms
    FROM rm_hosts h
    LEFT JOIN rm_host_status s ON s.pool_id = h.pool_id AND s.host_id = h.id
   WHERE h.pool_id = $1`;

/** The read API's TypeORM data source as the event log's queries take it. */
const logQueryable = (db: DataSource): LogQueryable => ({
  query: async (text, values) => ({ rows: await db.query(text, values) }),
});

/**
 * The hosts' convergence from the log: its head version for the pool, and for each host behind
 * it the age of the first event it has not applied.
 */
async function withLag(db: DataSource, pool: string, rows: HostStatusSqlRow[]): Promise<HostRow[]> {
  const log = logQueryable(db);
  const stream = poolStreamId(pool);
  const head = await readStreamVersion(log, stream);
  const applied = (row: HostStatusSqlRow) => numOrNull(row.applied_version);
  const next = rows.flatMap((row) => {
    const version = applied(row);
    return version !== null && version < head ? [version + 1] : [];
  });
  const ages = await ageOfStreamEvents(log, stream, [...new Set(next)]);
  return rows.map((row) => {
    const version = applied(row);
    const lagSeconds =
      version === null ? null : version >= head ? 0 : (ages.get(version + 1) ?? null);
    return { ...row, head, lagSeconds };
  });
}

type HostRow = HostStatusSqlRow & { head: number; lagSeconds: number | null };

const hostView = (row: HostRow): HostView => {
  const applied = numOrNull(row.applied_version);
  const head = row.head;
  return {
    id: row.id,
    name: row.name,
    address: row.address,
    enabled: row.enabled,
    management: row.management,
    tunnel:
      row.tunnel_device && row.tunnel_address
        ? { device: row.tunnel_device, address: row.tunnel_address }
        : null,
    interfaces: row.interfaces,
    appliedVersion: applied,
    lagEvents: applied === null ? null : Math.max(0, head - applied),
    lagSeconds: row.lagSeconds === null ? null : Math.round(row.lagSeconds * 1000) / 1000,
    lastReportAt: row.last_report_at && iso(row.last_report_at),
    digest: row.digest,
    drift: row.drift ?? 0,
    held: row.held
      ? {
          version: row.held.version,
          refusedVersion: row.held.refusedVersion,
          reason: row.held.reason,
          since: row.held.since,
        }
      : null,
    runningVms: Number(row.running_vms),
  };
};

export async function listHosts(
  db: DataSource,
  pool: string,
  query: HostsQuery,
): Promise<Page<HostView>> {
  await requirePool(db, pool);
  const limit = query.limit ?? DEFAULT_LIMIT;
  const after = decodeCursor(query.cursor, 1);
  const params: unknown[] = [pool];
  let sql = HOSTS_SQL;
  if (query.enabled !== undefined) {
    params.push(query.enabled === 'true');
    sql += ` AND h.enabled = $${params.length}`;
  }
  if (after) {
    params.push(after[0]);
    sql += ` AND h.id > $${params.length}`;
  }
  params.push(limit + 1);
  sql += ` ORDER BY h.id LIMIT $${params.length}`;
  const rows = await db.query<HostStatusSqlRow[]>(sql, params);
  return toPage(await withLag(db, pool, rows), limit, (h) => [h.id], hostView);
}

export async function getHost(
  db: DataSource,
  pool: string,
  hostId: string,
): Promise<HostDetailView> {
  await requirePool(db, pool);
  const [found] = await db.query<HostStatusSqlRow[]>(`${HOSTS_SQL} AND h.id = $2`, [pool, hostId]);
  const [row] = found ? await withLag(db, pool, [found]) : [];
  if (!row) throw notFound('HOST_NOT_FOUND', `no host "${hostId}" in pool "${pool}"`);
  const pifs = await db.getRepository(PifRow).find({
    where: { poolId: pool, hostId },
    order: { device: 'ASC' },
  });
  const bonds = await db.getRepository(BondRow).find({
    where: { poolId: pool, hostId },
    order: { device: 'ASC' },
  });
  const ports = await db.getRepository(HostPortRow).find({
    where: { poolId: pool, hostId },
    order: { vifId: 'ASC' },
  });
  return {
    ...hostView(row),
    pifs: pifs.map((p) => ({
      id: `${hostId}/${p.device}`,
      device: p.device,
      mac: p.mac,
      mtu: p.mtu,
      speedMbps: p.speedMbps,
      carrier: p.carrier,
      role: p.role,
      roles: p.roles,
      bondId: p.bondId,
    })),
    bonds: bonds.map((b) => ({ id: b.id, device: b.device, members: b.members, mode: b.mode })),
    ports: ports.map((p) => ({
      vifId: p.vifId,
      ready: p.ready,
      forwarding: p.forwarding,
      plugged: p.plugged,
    })),
  };
}
