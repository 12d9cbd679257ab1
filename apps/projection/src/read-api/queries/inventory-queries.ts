import { BadRequestException } from '@nestjs/common';
import { type AddressView, bridgeName, type NetworkView, type VmView } from '@pool/contracts';
import { normaliseIpv4, normaliseIpv6, normaliseMac } from '@pool/domain';
import { In, type DataSource, type SelectQueryBuilder } from 'typeorm';
import { UplinkRow } from '../../read-models/entities/host-rows.entity.js';
import { MigrationRow } from '../../read-models/entities/migration-row.entity.js';
import { NetworkRow } from '../../read-models/entities/network-row.entity.js';
import { VifRow, VmRow } from '../../read-models/entities/vm-rows.entity.js';
import type { AddressesQuery, ListQuery, VmsQuery } from '../dto/list-queries.js';
import { decodeCursor, DEFAULT_LIMIT, toPage, type Page } from '../http/pagination.js';
import { keysetPage, mapPage } from './keyset-page.js';
import { overlayUnderlays } from './overlay-queries.js';
import {
  ACTIVE_MIGRATION,
  portHostsOfVms,
  reportedPortsOf,
  vifSwitchPorts,
  vmPortHosts,
} from './vif-port-rows.js';
import {
  extraIpsOf,
  ipsOf,
  notFound,
  portStateSql,
  requirePool,
  vifPolicyOf,
} from './sql-fragments.js';

async function networkViews(
  db: DataSource,
  pool: string,
  rows: NetworkRow[],
): Promise<NetworkView[]> {
  const uplinks = await db.getRepository(UplinkRow).find({
    where: { poolId: pool, networkId: In(rows.map((n) => n.id)) },
    order: { hostId: 'ASC' },
  });
  const underlays = await overlayUnderlays(
    db,
    pool,
    rows.filter((n) => n.kind === 'overlay'),
  );
  return rows.map((n) => ({
    id: n.id,
    name: n.name,
    kind: n.kind,
    purpose: n.purpose,
    device: n.device,
    vlan: n.vlan,
    vni: n.vni,
    mtu: n.mtu,
    bridge: bridgeName(n.id),
    aclDefault: n.aclDefault,
    uplinks: uplinks
      .filter((u) => u.networkId === n.id)
      .map((u) => ({ hostId: u.hostId, device: u.device })),
    underlay: underlays.get(n.id) ?? null,
  }));
}

export async function listNetworks(
  db: DataSource,
  pool: string,
  query: ListQuery,
): Promise<Page<NetworkView>> {
  await requirePool(db, pool);
  const page = await keysetPage(db, { entity: NetworkRow, key: ['id'], pool }, query);
  return mapPage(page, (rows) => networkViews(db, pool, rows));
}

export async function getNetwork(db: DataSource, pool: string, id: string): Promise<NetworkView> {
  await requirePool(db, pool);
  const row = await db.getRepository(NetworkRow).findOneBy({ poolId: pool, id });
  if (!row) throw notFound('NETWORK_NOT_FOUND', `no network "${id}" in pool "${pool}"`);
  return (await networkViews(db, pool, [row]))[0]!;
}

async function vmViews(db: DataSource, pool: string, rows: VmRow[]): Promise<VmView[]> {
  const ids = rows.map((vm) => vm.id);
  const vifs = await db.getRepository(VifRow).find({
    where: { poolId: pool, vmId: In(ids) },
    order: { device: 'ASC' },
  });
  const migrations = await db.getRepository(MigrationRow).find({
    where: { poolId: pool, vmId: In(ids), status: In([...ACTIVE_MIGRATION]) },
  });
  const extra = await extraIpsOf(
    db,
    pool,
    vifs.map((v) => v.id),
  );
  const reported = await reportedPortsOf(
    db,
    pool,
    vifs.map((v) => v.id),
  );
  return rows.map((vm) => {
    const migration = migrations.find((m) => m.vmId === vm.id);
    const hosts = vmPortHosts(vm, migration);
    return {
      id: vm.id,
      name: vm.name,
      powerState: vm.powerState,
      hostId: vm.hostId,
      vifs: vifs
        .filter((v) => v.vmId === vm.id)
        .map((v) => ({
          id: v.id,
          device: v.device,
          mac: v.mac,
          networkId: v.networkId,
          ips: ipsOf(v, extra.get(v.id)),
          ...vifPolicyOf(v.qos, v.portSecurity),
          ...vifSwitchPorts(v, hosts, reported),
        })),
      migration: migration
        ? { id: migration.id, status: migration.status, toHostId: migration.toHostId }
        : null,
    };
  });
}

export async function listVms(
  db: DataSource,
  pool: string,
  query: VmsQuery,
): Promise<Page<VmView>> {
  await requirePool(db, pool);
  const narrow = (q: SelectQueryBuilder<VmRow>) => {
    if (query.host !== undefined) q.andWhere('r.hostId = :host', { host: query.host });
    if (query.powerState !== undefined) {
      q.andWhere('r.powerState = :state', { state: query.powerState });
    }
  };
  const page = await keysetPage(db, { entity: VmRow, key: ['id'], pool, narrow }, query);
  return mapPage(page, (rows) => vmViews(db, pool, rows));
}

export async function getVm(db: DataSource, pool: string, id: string): Promise<VmView> {
  await requirePool(db, pool);
  const row = await db.getRepository(VmRow).findOneBy({ poolId: pool, id });
  if (!row) throw notFound('VM_NOT_FOUND', `no VM "${id}" in pool "${pool}"`);
  return (await vmViews(db, pool, [row]))[0]!;
}

interface AddressSqlRow {
  vif_id: string;
  slot: string;
  mac: string;
  ip: string | null;
  network_id: string;
  vm_id: string;
  host_id: string | null;
  state: AddressView['state'];
}

const badQuery = (message: string) => new BadRequestException({ code: 'INVALID_QUERY', message });

/** The address registry: by MAC, by IP (in one network or all), or all of it. */
export async function listAddresses(
  db: DataSource,
  pool: string,
  query: AddressesQuery,
): Promise<Page<AddressView>> {
  await requirePool(db, pool);
  const limit = query.limit ?? DEFAULT_LIMIT;
  const after = decodeCursor(query.cursor, 2);
  const params: unknown[] = [pool];
  let where = 'a.pool_id = $1';
  if (query.mac !== undefined) {
    const mac = normaliseMac(query.mac);
    if (mac === null) throw badQuery(`mac "${query.mac}" is not a MAC address`);
    params.push(mac);
    where += ` AND a.mac = $${params.length}`;
  }
  if (query.ip !== undefined) {
    const ip = normaliseIpv4(query.ip) ?? normaliseIpv6(query.ip);
    if (ip === null) throw badQuery(`ip "${query.ip}" is not an IPv4 or IPv6 address`);
    params.push(ip);
    where += ` AND a.ip = $${params.length}`;
  }
  if (query.network !== undefined) {
    params.push(query.network);
    where += ` AND a.network_id = $${params.length}`;
  }
  if (after) {
    params.push(String(after[0]), String(after[1]));
    where += ` AND (a.vif_id, a.slot) > ($${params.length - 1}, $${params.length})`;
  }
  params.push(limit + 1);
  const rows = await db.query<AddressSqlRow[]>(
    `SELECT a.vif_id, a.slot, a.mac, a.ip, a.network_id, a.vm_id, a.host_id,
            ${portStateSql('a.pool_id', 'a.vif_id')} AS state
       FROM rm_addresses a WHERE ${where}
      ORDER BY a.vif_id, a.slot LIMIT $${params.length}`,
    params,
  );
  const hosts = await portHostsOfVms(
    db,
    pool,
    rows.map((a) => a.vm_id),
  );
  const reported = await reportedPortsOf(
    db,
    pool,
    rows.map((a) => a.vif_id),
  );
  return toPage(
    rows,
    limit,
    (a) => [a.vif_id, a.slot],
    (a) => ({
      mac: a.mac,
      ip: a.ip,
      networkId: a.network_id,
      vifId: a.vif_id,
      vmId: a.vm_id,
      hostId: a.host_id,
      state: a.state,
      ...vifSwitchPorts(
        { id: a.vif_id, networkId: a.network_id },
        hosts.get(a.vm_id) ?? [],
        reported,
      ),
    }),
  );
}
