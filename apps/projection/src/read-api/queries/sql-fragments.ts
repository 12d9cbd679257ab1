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
export const ipsOf = (row: { ipv4: string | null; ipv6: string | null }): string[] =>
  [row.ipv4, row.ipv6].filter((ip): ip is string => ip !== null);

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
