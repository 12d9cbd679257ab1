import {
  portHosts,
  vifPorts,
  vifSwitchNames,
  type PlacingMigration,
  type PortHost,
  type VifSwitchPortsView,
} from '@pool/contracts';
import { In, IsNull, Not, type DataSource } from 'typeorm';
import { HostPortRow } from '../../read-models/entities/host-status.entity.js';
import { MigrationRow } from '../../read-models/entities/migration-row.entity.js';
import { VmRow } from '../../read-models/entities/vm-rows.entity.js';

/*
 * VIF ports from the read models' VM and migration rows, derived at query time with the names
 * and placement hosts build from (libs/contracts): no column stores them, so nothing can fall out
 * of step with the log and no migration of stored rows is needed.
 */

export const ACTIVE_MIGRATION = ['requested', 'prepared', 'activated'] as const;

/** A migration row as placement reads it: only while it is under way. */
export function placingMigration(row: MigrationRow | undefined): PlacingMigration | undefined {
  if (!row || !(ACTIVE_MIGRATION as readonly string[]).includes(row.status)) return undefined;
  return {
    fromHost: row.fromHostId,
    toHost: row.toHostId,
    phase: row.status as PlacingMigration['phase'],
  };
}

/** The hosts holding a VM's ports, from its row and its active migration's row. */
export const vmPortHosts = (
  vm: Pick<VmRow, 'powerState' | 'hostId'>,
  migration: MigrationRow | undefined,
): PortHost[] =>
  portHosts({ powerState: vm.powerState, residentHost: vm.hostId }, placingMigration(migration));

/** What a host last reported of a VIF's port there, where it adds to the log's view. */
export interface ReportedPort {
  plugged: boolean;
  device: string | null;
}

/** `reported`: by `<host>/<vif>`, the ports whose host reports their device absent or adopted. */
export const vifSwitchPorts = (
  vif: { id: string; networkId: string },
  hosts: readonly PortHost[],
  reported: ReadonlyMap<string, ReportedPort>,
): VifSwitchPortsView => ({
  ...vifSwitchNames(vif),
  ports: vifPorts(vif, hosts).map((p) => {
    const found = reported.get(`${p.hostId}/${vif.id}`);
    return {
      ...p,
      ...(found?.plugged === false ? { plugged: false as const } : {}),
      ...(found?.device ? { device: found.device } : {}),
    };
  }),
});

/** By `<host>/<vif>`, the given VIFs' ports whose host reported their device absent or adopted. */
export async function reportedPortsOf(
  db: DataSource,
  pool: string,
  vifIds: readonly string[],
): Promise<Map<string, ReportedPort>> {
  const vifId = In([...new Set(vifIds)]);
  const rows = await db.getRepository(HostPortRow).find({
    where: [
      { poolId: pool, vifId, plugged: false },
      { poolId: pool, vifId, device: Not(IsNull()) },
    ],
  });
  return new Map(
    rows.map((r) => [`${r.hostId}/${r.vifId}`, { plugged: r.plugged, device: r.device }]),
  );
}

/** The port hosts of the given VMs, by VM id (a VM not in the read models holds none). */
export async function portHostsOfVms(
  db: DataSource,
  pool: string,
  vmIds: readonly string[],
): Promise<Map<string, PortHost[]>> {
  const ids = [...new Set(vmIds)];
  const [vms, migrations] = await Promise.all([
    db.getRepository(VmRow).find({ where: { poolId: pool, id: In(ids) } }),
    db.getRepository(MigrationRow).find({
      where: { poolId: pool, vmId: In(ids), status: In([...ACTIVE_MIGRATION]) },
    }),
  ]);
  return new Map(
    vms.map((vm) => [
      vm.id,
      vmPortHosts(
        vm,
        migrations.find((m) => m.vmId === vm.id),
      ),
    ]),
  );
}
