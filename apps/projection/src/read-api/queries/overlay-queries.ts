import { underlayFigures } from '@pool/domain';
import type { DataSource } from 'typeorm';
import type { OverlayHostView, OverlayUnderlayView } from '@pool/contracts';
import { iso } from './sql-fragments.js';

interface TunnelReportRow {
  network_id: string;
  host_id: string;
  expected: number;
  applied: number;
  missing: string[];
  unreachable: string[];
  updated_at: Date;
}

/** Migrations under way: their target carries the VM's networks before it forwards. */
const ACTIVE = ['requested', 'prepared', 'activated'];

/**
 * Each overlay network's mesh as the dashboard draws it: the hosts the log has carry it (a
 * VM's port there, or a migration's target, with a tunnel endpoint), the tunnels the log wants
 * of each (one to each other carrier, as the member host derives them in overlay.ts) and what
 * each host's last report says it has on its switch.
 */
export async function overlayMeshes(
  db: DataSource,
  pool: string,
  overlays: readonly string[],
): Promise<Map<string, OverlayHostView[]>> {
  const meshes = new Map<string, OverlayHostView[]>();
  if (overlays.length === 0) return meshes;
  const carriers = await db.query<{ network_id: string; host_id: string }[]>(
    `SELECT DISTINCT v.network_id, c.host_id
       FROM rm_vifs v
       JOIN rm_vms vm ON vm.pool_id = v.pool_id AND vm.id = v.vm_id
       LEFT JOIN rm_migrations m ON m.pool_id = vm.pool_id AND m.vm_id = vm.id
                                AND m.status = ANY($3::text[])
       CROSS JOIN LATERAL (VALUES (vm.host_id), (m.to_host_id)) AS c(host_id)
       JOIN rm_hosts h ON h.pool_id = v.pool_id AND h.id = c.host_id
      WHERE v.pool_id = $1 AND v.network_id = ANY($2::text[]) AND h.tunnel_address IS NOT NULL`,
    [pool, overlays, ACTIVE],
  );
  const reports = await db.query<TunnelReportRow[]>(
    `SELECT network_id, host_id, expected, applied, missing, unreachable, updated_at
       FROM rm_host_tunnels
      WHERE pool_id = $1 AND network_id = ANY($2::text[])`,
    [pool, overlays],
  );
  const endpoints = new Map(
    (
      await db.query<{ id: string; tunnel_address: string | null }[]>(
        'SELECT id, tunnel_address FROM rm_hosts WHERE pool_id = $1',
        [pool],
      )
    ).map((h) => [h.id, h.tunnel_address]),
  );
  for (const network of overlays) {
    const carrying = new Set(
      carriers.filter((c) => c.network_id === network).map((c) => c.host_id),
    );
    const reported = new Map(
      reports.filter((r) => r.network_id === network).map((r) => [r.host_id, r]),
    );
    const hosts = [...new Set([...carrying, ...reported.keys()])].sort();
    meshes.set(
      network,
      hosts.map((hostId) =>
        overlayHost(hostId, endpoints.get(hostId) ?? null, carrying, reported.get(hostId)),
      ),
    );
  }
  return meshes;
}

function overlayHost(
  hostId: string,
  endpoint: string | null,
  carrying: ReadonlySet<string>,
  report: TunnelReportRow | undefined,
): OverlayHostView {
  const wanted = carrying.has(hostId) ? carrying.size - 1 : 0;
  const base = { hostId, endpoint, wanted };
  if (!report) {
    const state = wanted === 0 ? 'up' : 'unreported';
    const none = { missing: [], unreachable: [] };
    return { ...base, expected: null, applied: null, ...none, reportedAt: null, state };
  }
  const { expected, applied, missing, unreachable } = report;
  const state: OverlayHostView['state'] =
    expected !== wanted
      ? 'converging'
      : applied < expected
        ? applied === 0
          ? 'down'
          : 'partial'
        : unreachable.length > 0
          ? 'unreachable'
          : 'up';
  const reportedAt = iso(report.updated_at);
  return { ...base, expected, applied, missing, unreachable, reportedAt, state };
}

/**
 * Under each overlay network, each host with a tunnel endpoint and its figures: the endpoint
 * PIF's MTU, VXLAN's overhead over its address and the headroom that leaves above the overlay's
 * MTU, computed as the decider computes them (underlayFigures). Keyed by network id.
 */
export async function overlayUnderlays(
  db: DataSource,
  pool: string,
  overlays: readonly { id: string; mtu: number }[],
): Promise<Map<string, OverlayUnderlayView[]>> {
  const underlays = new Map<string, OverlayUnderlayView[]>();
  if (overlays.length === 0) return underlays;
  const endpoints = await db.query<
    { host_id: string; device: string; address: string; mtu: number }[]
  >(
    `SELECT h.id AS host_id, h.tunnel_device AS device, h.tunnel_address AS address, p.mtu
       FROM rm_hosts h
       JOIN rm_pifs p ON p.pool_id = h.pool_id AND p.host_id = h.id AND p.device = h.tunnel_device
      WHERE h.pool_id = $1 AND h.tunnel_address IS NOT NULL
      ORDER BY h.id`,
    [pool],
  );
  const hosts = endpoints.map(({ host_id, device, address, mtu }) => ({
    hostId: host_id,
    device,
    address,
    underlayMtu: mtu,
  }));
  for (const network of overlays) underlays.set(network.id, underlayFigures(network.mtu, hosts));
  return underlays;
}
