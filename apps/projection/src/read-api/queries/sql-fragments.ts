import { NotFoundException } from '@nestjs/common';
import type { VifPolicyView } from '@pool/contracts';
import type { DataSource } from 'typeorm';

/** A VIF's port state from host reports: forwarding somewhere, present but not yet, or absent. */
export const portStateSql = (pool: string, vif: string) => `(
  SELECT CASE WHEN bool_or(p.forwarding) THEN 'forwarding'
              WHEN count(*) > 0 THEN 'pending' ELSE 'down' END
    FROM rm_host_ports p WHERE p.pool_id = ${pool} AND p.vif_id = ${vif})`;

export const iso = (value: Date | string): string => new Date(value).toISOString();
export const num = (value: string | number): number => Number(value);
export const numOrNull = (value: string | number | null): number | null =>
  value === null ? null : Number(value);
/** A VIF's own addresses, IPv4 first then IPv6: its `ipv4`, `ipv6` and further addresses. */
export const ipsOf = (
  row: { ipv4: string | null; ipv6: string | null },
  extra: readonly string[] = [],
): string[] => {
  const all = [row.ipv4, row.ipv6, ...extra].filter((ip): ip is string => ip !== null);
  return [...all.filter((ip) => !ip.includes(':')), ...all.filter((ip) => ip.includes(':'))];
};

/** A VIF's further addresses, from the address registry (slot `extra:<ip>`), as a text[]. */
export const extraIpsSql = (pool: string, vif: string) => `(
  SELECT coalesce(array_agg(a.ip ORDER BY a.slot), '{}') FROM rm_addresses a
   WHERE a.pool_id = ${pool} AND a.vif_id = ${vif} AND a.slot LIKE 'extra:%')`;

/** Further addresses of the given VIFs, by VIF id. */
export async function extraIpsOf(
  db: DataSource,
  pool: string,
  vifIds: readonly string[],
): Promise<Map<string, string[]>> {
  const rows = await db.query<{ vif_id: string; ip: string }[]>(
    `SELECT vif_id, ip FROM rm_addresses
      WHERE pool_id = $1 AND vif_id = ANY($2) AND slot LIKE 'extra:%' ORDER BY slot`,
    [pool, vifIds],
  );
  const byVif = new Map<string, string[]>();
  for (const { vif_id, ip } of rows) byVif.set(vif_id, [...(byVif.get(vif_id) ?? []), ip]);
  return byVif;
}

/**
 * A VIF's QoS and port security from its `rm_vifs` columns, the four QoS fields named (the
 * jsonb column holds whatever the event carried).
 */
export const vifPolicyOf = (
  qos: Record<string, number> | null,
  portSecurity: boolean,
): VifPolicyView => ({
  qos: qos && {
    ingressKbps: qos.ingressKbps ?? 0,
    ingressBurstKb: qos.ingressBurstKb ?? 0,
    egressKbps: qos.egressKbps ?? 0,
    egressBurstKb: qos.egressBurstKb ?? 0,
  },
  portSecurity,
});

/** 404 unless the pool is in the read models; returns its projected version. */
export async function requirePool(db: DataSource, pool: string): Promise<number> {
  const rows = await db.query<{ version: string }[]>(
    'SELECT version FROM rm_pools WHERE pool_id = $1',
    [pool],
  );
  if (!rows[0]) throw notFound('POOL_NOT_FOUND', `no pool "${pool}"`);
  return Number(rows[0].version);
}

export const notFound = (code: string, message: string) => new NotFoundException({ code, message });
