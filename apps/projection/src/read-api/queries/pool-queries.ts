import {
  type AclDefault,
  bridgeName,
  type NetworkView,
  type PoolSummaryView,
  type PoolView,
  type SwitchPortView,
  type SwitchView,
} from '@pool/contracts';
import type { DataSource } from 'typeorm';
import { PoolRow } from '../../read-models/entities/pool-row.entity.js';
import type { Page } from '../http/pagination.js';
import { keysetPage, mapPage } from './keyset-page.js';
import { overlayMeshes, overlayUnderlays } from './overlay-queries.js';
import type { ListQuery } from '../dto/list-queries.js';
import {
  extraIpsSql,
  ipsOf,
  iso,
  notFound,
  num,
  portStateSql,
  requirePool,
  vifPolicyOf,
} from './sql-fragments.js';

const summary = (row: PoolRow): PoolSummaryView => ({
  id: row.poolId,
  name: row.name,
  version: num(row.version),
  hosts: row.hosts,
  networks: row.networks,
  vms: row.vms,
  vifs: row.vifs,
});

export async function listPools(db: DataSource, query: ListQuery): Promise<Page<PoolSummaryView>> {
  const page = await keysetPage(db, { entity: PoolRow, key: ['poolId'] }, query);
  return mapPage(page, (rows) => rows.map(summary));
}

export async function getPool(db: DataSource, pool: string): Promise<PoolView> {
  const row = await db.getRepository(PoolRow).findOneBy({ poolId: pool });
  if (!row) throw notFound('POOL_NOT_FOUND', `no pool "${pool}"`);
  return { ...summary(row), updatedAt: iso(row.updatedAt), migrationsActive: row.migrationsActive };
}

interface PortRow {
  id: string;
  vm_id: string;
  vm_name: string;
  mac: string;
  ipv4: string | null;
  ipv6: string | null;
  extra_ips: string[];
  network_id: string;
  host_id: string | null;
  qos: Record<string, number> | null;
  port_security: boolean;
  state: SwitchPortView['state'];
}

/**
 * The pool as one switch: every network with its uplinks and every port, wherever it lives, and
 * for an overlay network the mesh of tunnels among its hosts and the underlay under it.
 */
export async function getSwitch(db: DataSource, pool: string): Promise<SwitchView> {
  const version = await requirePool(db, pool);
  const networks = await db.query<
    (Pick<NetworkView, 'id' | 'name' | 'kind' | 'purpose' | 'vlan' | 'vni' | 'mtu'> & {
      acl_default: AclDefault;
    })[]
  >(
    `SELECT id, name, kind, purpose, vlan, vni, mtu, acl_default FROM rm_networks
      WHERE pool_id = $1 ORDER BY name, id`,
    [pool],
  );
  const uplinks = await db.query<{ network_id: string; host_id: string; device: string }[]>(
    'SELECT network_id, host_id, device FROM rm_uplinks WHERE pool_id = $1 ORDER BY host_id',
    [pool],
  );
  const ports = await db.query<PortRow[]>(
    `SELECT v.id, v.vm_id, vm.name AS vm_name, v.mac, v.ipv4, v.ipv6, v.network_id, vm.host_id,
            v.qos, v.port_security, ${portStateSql('v.pool_id', 'v.id')} AS state,
            ${extraIpsSql('v.pool_id', 'v.id')} AS extra_ips
       FROM rm_vifs v JOIN rm_vms vm ON vm.pool_id = v.pool_id AND vm.id = v.vm_id
      WHERE v.pool_id = $1 ORDER BY v.id`,
    [pool],
  );
  const overlays = networks.filter((n) => n.kind === 'overlay').map((n) => n.id);
  const meshes = await overlayMeshes(db, pool, overlays);
  const underlays = await overlayUnderlays(
    db,
    pool,
    networks.filter((n) => n.kind === 'overlay'),
  );
  return {
    pool,
    version,
    networks: networks.map((n) => ({
      id: n.id,
      name: n.name,
      kind: n.kind,
      purpose: n.purpose,
      vlan: n.vlan,
      vni: n.vni,
      mtu: n.mtu,
      bridge: bridgeName(n.id),
      aclDefault: n.acl_default,
      uplinks: uplinks
        .filter((u) => u.network_id === n.id)
        .map((u) => ({ hostId: u.host_id, device: u.device })),
      ports: ports
        .filter((p) => p.network_id === n.id)
        .map((p) => ({
          vifId: p.id,
          vmId: p.vm_id,
          vmName: p.vm_name,
          mac: p.mac,
          ips: ipsOf(p, p.extra_ips),
          hostId: p.host_id,
          state: p.state,
          ...vifPolicyOf(p.qos, p.port_security),
        })),
      underlay: underlays.get(n.id) ?? null,
      tunnels: meshes.get(n.id) ?? [],
    })),
  };
}
