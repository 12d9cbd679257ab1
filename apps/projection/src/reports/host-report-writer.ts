import { poolStreamId, type HostReport } from '@pool/contracts';
import { readStreamVersion } from '@pool/event-store';
import type pg from 'pg';
import { notifyChanges } from '../read-models/read-model-store.js';

export type ReportOutcome =
  { applied: true; appliedVersion: number; lagEvents: number } | { applied: false };

/**
 * Applies one host report in one transaction: host status (applied version, digest, drift
 * count), the host's port states and overlay tunnels, port counters and ACL rule hits (a full
 * report's replace the host's),
 * and a `host` change for every replica's stream.
 * A report neither later in the stream (`seq`, its JetStream sequence) nor stamped later by
 * its host than the stored one is a redelivery or an older report: it changes nothing, so
 * drift is counted once. The timestamp lets reports through after the stream was recreated
 * (sequences start again at 1).
 */
export async function applyHostReport(
  db: pg.Pool,
  report: HostReport,
  seq: number,
): Promise<ReportOutcome> {
  const client = await db.connect();
  try {
    await client.query('BEGIN');
    const at = Number.isNaN(Date.parse(report.at)) ? new Date().toISOString() : report.at;
    const status = await client.query<{ applied: string }>(
      `INSERT INTO rm_host_status AS s
         (pool_id, host_id, applied_version, digest, last_report_at, drift, report_seq, held)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (pool_id, host_id) DO UPDATE
         SET applied_version = excluded.applied_version, digest = excluded.digest,
             last_report_at = excluded.last_report_at, drift = s.drift + excluded.drift,
             report_seq = excluded.report_seq, held = excluded.held
         WHERE s.report_seq < excluded.report_seq OR s.last_report_at < excluded.last_report_at
       RETURNING applied_version::text AS applied`,
      [
        report.pool,
        report.host,
        report.appliedVersion,
        report.digest,
        at,
        report.drift?.length ?? 0,
        seq,
        report.held ? JSON.stringify(report.held) : null,
      ],
    );
    if (status.rowCount === 0) {
      await client.query('ROLLBACK');
      return { applied: false };
    }
    if (report.ports) {
      await client.query('DELETE FROM rm_host_ports WHERE pool_id = $1 AND host_id = $2', [
        report.pool,
        report.host,
      ]);
      await client.query(
        `INSERT INTO rm_host_ports (pool_id, host_id, vif_id, ready, forwarding, plugged, device)
         SELECT $1, $2, p.vif, bool_or(p.ready), bool_or(p.forwarding),
                bool_and(coalesce(p.plugged, true)), max(p.device)
           FROM jsonb_to_recordset($3::jsonb)
                AS p(vif text, ready boolean, forwarding boolean, plugged boolean, device text)
          GROUP BY p.vif`,
        [report.pool, report.host, JSON.stringify(report.ports)],
      );
    }
    if (report.tunnels) {
      // Every overlay network the host has tunnels on: one it no longer lists has none now.
      await client.query('DELETE FROM rm_host_tunnels WHERE pool_id = $1 AND host_id = $2', [
        report.pool,
        report.host,
      ]);
      await client.query(
        `INSERT INTO rm_host_tunnels
           (pool_id, host_id, network_id, vni, expected, applied, missing, unreachable, updated_at)
         SELECT DISTINCT ON (t.network) $1, $2, t.network, t.vni, t.expected, t.applied,
                coalesce(t.missing, '[]'::jsonb), coalesce(t.unreachable, '[]'::jsonb),
                $4::timestamptz
           FROM jsonb_to_recordset($3::jsonb)
                AS t(network text, vni integer, expected integer, applied integer, missing jsonb,
                     unreachable jsonb)`,
        [report.pool, report.host, JSON.stringify(report.tunnels), at],
      );
    }
    // A full report lists every port the host has: a port it no longer reports (a VM that
    // migrated away or was deleted) loses its row, so it is not shown twice or forever.
    if (report.counters) {
      await dropUnlisted(
        client,
        report,
        'rm_counters.port',
        report.counters.map((c) => c.port),
      );
    }
    if (report.counters?.length) {
      await client.query(
        `INSERT INTO rm_counters AS c
           (pool_id, host_id, port, rx_packets, tx_packets, rx_bytes, tx_bytes, updated_at)
         SELECT DISTINCT ON (k.port) $1, $2, k.port, k."rxPackets", k."txPackets", k."rxBytes",
                k."txBytes", $4::timestamptz
           FROM jsonb_to_recordset($3::jsonb) AS k(port text, "rxPackets" bigint,
                "txPackets" bigint, "rxBytes" bigint, "txBytes" bigint)
         ON CONFLICT (pool_id, host_id, port) DO UPDATE
           SET rx_packets = excluded.rx_packets, tx_packets = excluded.tx_packets,
               rx_bytes = excluded.rx_bytes, tx_bytes = excluded.tx_bytes,
               updated_at = excluded.updated_at`,
        [report.pool, report.host, JSON.stringify(report.counters), at],
      );
    }
    // Likewise every ACL rule it has: a rule it no longer has (deleted, or its VIFs left) goes.
    if (report.aclCounters) {
      const rules = report.aclCounters.map((c) => c.rule);
      await dropUnlisted(client, report, 'rm_acl_counters.rule_id', rules);
    }
    if (report.aclCounters?.length) {
      await client.query(
        `INSERT INTO rm_acl_counters AS c (pool_id, host_id, rule_id, packets, bytes, updated_at)
         SELECT DISTINCT ON (k.rule) $1, $2, k.rule, k.packets, k.bytes, $4::timestamptz
           FROM jsonb_to_recordset($3::jsonb) AS k(rule text, packets bigint, bytes bigint)
         ON CONFLICT (pool_id, rule_id, host_id) DO UPDATE
           SET packets = excluded.packets, bytes = excluded.bytes, updated_at = excluded.updated_at`,
        [report.pool, report.host, JSON.stringify(report.aclCounters), at],
      );
    }
    const head = await readStreamVersion(client, poolStreamId(report.pool));
    const appliedVersion = Number(status.rows[0]!.applied);
    const lagEvents = Math.max(0, head - appliedVersion);
    await notifyChanges(client, [
      { type: 'host', pool: report.pool, hostId: report.host, appliedVersion, lagEvents },
    ]);
    await client.query('COMMIT');
    return { applied: true, appliedVersion, lagEvents };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/** Deletes the host's rows of a report-fed table whose key the full report no longer lists. */
async function dropUnlisted(
  client: pg.PoolClient,
  report: HostReport,
  key: 'rm_counters.port' | 'rm_acl_counters.rule_id',
  listed: string[],
): Promise<void> {
  const [table, column] = key.split('.');
  await client.query(
    `DELETE FROM ${table} WHERE pool_id = $1 AND host_id = $2 AND NOT (${column} = ANY($3::text[]))`,
    [report.pool, report.host, listed],
  );
}

/** A report's shape, checked before it reaches SQL; the subject names its pool and host. */
export function parseHostReport(subject: string, payload: unknown): HostReport {
  const tokens = subject.split('.');
  const [pool, host] = [tokens[1], tokens[3]];
  const report = payload as Partial<HostReport> | null;
  if (!report || typeof report !== 'object') throw new Error('not a JSON object');
  if (report.pool !== pool || report.host !== host) {
    throw new Error(`pool/host ${report.pool}/${report.host} do not match the subject`);
  }
  if (!Number.isSafeInteger(report.appliedVersion) || report.appliedVersion! < 0) {
    throw new Error('appliedVersion is not a non-negative integer');
  }
  if (typeof report.digest !== 'string') throw new Error('digest is not a string');
  if (report.ports !== undefined && !Array.isArray(report.ports)) {
    throw new Error('ports is not a list');
  }
  if (report.tunnels !== undefined && !Array.isArray(report.tunnels)) {
    throw new Error('tunnels is not a list');
  }
  if (report.counters !== undefined && !Array.isArray(report.counters)) {
    throw new Error('counters is not a list');
  }
  if (report.aclCounters !== undefined && !Array.isArray(report.aclCounters)) {
    throw new Error('aclCounters is not a list');
  }
  return report as HostReport;
}
