import type { AclDefault, AddressSetView, SecurityGroupView } from '@pool/contracts';
import { In, type DataSource } from 'typeorm';
import {
  AddressSetRow,
  SecurityGroupMemberRow,
  SecurityGroupRow,
} from '../../read-models/entities/security-group-rows.entity.js';
import type { ListQuery } from '../dto/list-queries.js';
import type { Page } from '../http/pagination.js';
import { keysetPage, mapPage } from './keyset-page.js';
import { requirePool } from './sql-fragments.js';

/** Address sets in id order, each with its CIDRs as the domain keeps them (IPv4 first). */
export async function listAddressSets(
  db: DataSource,
  pool: string,
  query: ListQuery,
): Promise<Page<AddressSetView>> {
  await requirePool(db, pool);
  const page = await keysetPage(db, { entity: AddressSetRow, key: ['id'], pool }, query);
  return mapPage(page, (rows) =>
    rows.map((s) => ({ addressSetId: s.id, name: s.name, cidrs: s.cidrs })),
  );
}

/** Security groups in id order, with their member VIFs and how many rules are scoped to each. */
export async function listSecurityGroups(
  db: DataSource,
  pool: string,
  query: ListQuery,
): Promise<Page<SecurityGroupView>> {
  await requirePool(db, pool);
  const page = await keysetPage(db, { entity: SecurityGroupRow, key: ['id'], pool }, query);
  return mapPage(page, async (rows) => {
    const ids = rows.map((g) => g.id);
    const members = ids.length
      ? await db.getRepository(SecurityGroupMemberRow).find({
          where: { poolId: pool, groupId: In(ids) },
          order: { groupId: 'ASC', vifId: 'ASC' },
        })
      : [];
    const counts = ids.length
      ? await db.query<{ group_id: string; rules: number }[]>(
          `SELECT scope_id AS group_id, count(*)::int AS rules FROM rm_acl_rules
            WHERE pool_id = $1 AND scope_kind = 'group' AND scope_id = ANY($2)
            GROUP BY scope_id`,
          [pool, ids],
        )
      : [];
    const ruleCount = new Map(counts.map((c) => [c.group_id, c.rules]));
    return rows.map((g) => ({
      groupId: g.id,
      name: g.name,
      defaultPolicy: g.defaultPolicy as AclDefault,
      vifIds: members.filter((m) => m.groupId === g.id).map((m) => m.vifId),
      ruleCount: ruleCount.get(g.id) ?? 0,
    }));
  });
}
