import pg from 'pg';
import { DataSource, getMetadataArgsStorage } from 'typeorm';
import { CreateSecurityGroupReadModels1765756800000 } from '../../../../migrations/1765756800000-CreateSecurityGroupReadModels.js';
import { AclDirectionsFromVm1765929600000 } from '../../../../migrations/1765929600000-AclDirectionsFromVm.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../../../test/support/databases.js';
import { READ_MODEL_ENTITIES } from './read-model-tables.js';

/** What a TypeORM column type is called in information_schema. */
const SQL_TYPES: Record<string, string> = {
  text: 'text',
  integer: 'integer',
  smallint: 'smallint',
  bigint: 'bigint',
  boolean: 'boolean',
  jsonb: 'jsonb',
  timestamptz: 'timestamp with time zone',
};

describe('read-model schema', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let db: pg.Pool;
  beforeAll(async () => {
    database = await createTestDatabase();
    db = new pg.Pool({ connectionString: database.url, max: 1 });
  });
  afterAll(async () => {
    await db.end();
    await database.drop();
  });

  it('the migration creates every entity table with the entity columns, types and keys', async () => {
    const storage = getMetadataArgsStorage();
    for (const entity of READ_MODEL_ENTITIES) {
      const table = storage.filterTables(entity)[0]!.name!;
      const columns = storage.filterColumns(entity).map((c) => ({
        column: c.options.name ?? c.propertyName,
        type: SQL_TYPES[c.options.type as string],
        nullable: c.options.nullable === true ? 'YES' : 'NO',
      }));
      const { rows } = await db.query<{ column: string; type: string; nullable: string }>(
        `SELECT column_name AS column, data_type AS type, is_nullable AS nullable
           FROM information_schema.columns WHERE table_name = $1 ORDER BY ordinal_position`,
        [table],
      );
      expect(rows, table).toEqual(columns);
      const { rows: keys } = await db.query<{ column: string }>(
        `SELECT a.attname AS column FROM pg_index i
           JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
          WHERE i.indrelid = $1::regclass AND i.indisprimary ORDER BY array_position(i.indkey, a.attnum)`,
        [table],
      );
      const primary = storage
        .filterColumns(entity)
        .filter((c) => c.options.primary)
        .map((c) => c.options.name ?? c.propertyName);
      expect(
        keys.map((k) => k.column),
        `${table} primary key`,
      ).toEqual(primary);
    }
  });

  it('the security-group migration empties the log-derived tables and their checkpoint, so the projector rebuilds them', async () => {
    const migration = new CreateSecurityGroupReadModels1765756800000();
    const source = await new DataSource({ type: 'postgres', url: database.url }).initialize();
    const runner = source.createQueryRunner();
    try {
      // A deployment before it: rows written without group scopes, remotes or stateless.
      await migration.down(runner);
      await db.query(`INSERT INTO rm_vms (pool_id, id, name, power_state, host_id)
                      VALUES ('p', 'vm1', 'vm1', 'halted', NULL)`);
      await db.query(`INSERT INTO rm_checkpoints
                        (projection, log_epoch, transaction_id, global_position, events, updated_at)
                      VALUES ('read-models', 1, 10, 5, 5, now()), ('other', 1, 10, 5, 5, now())`);
      await migration.up(runner);
      expect((await db.query('SELECT * FROM rm_vms')).rows).toEqual([]);
      const { rows } = await db.query<{ projection: string }>(
        'SELECT projection FROM rm_checkpoints',
      );
      expect(rows).toEqual([{ projection: 'other' }]);
    } finally {
      await runner.release();
      await source.destroy();
    }
  });

  it("the ACL-direction migration rewrites stored rules in the VM's words, and back", async () => {
    const migration = new AclDirectionsFromVm1765929600000();
    const source = await new DataSource({ type: 'postgres', url: database.url }).initialize();
    const runner = source.createQueryRunner();
    const directions = async () =>
      (
        await db.query<{ id: string; direction: string }>(
          'SELECT id, direction FROM rm_acl_rules ORDER BY id',
        )
      ).rows.map((row) => [row.id, row.direction]);
    try {
      await migration.down(runner);
      for (const [id, direction] of [
        ['r1', 'ingress'],
        ['r2', 'egress'],
      ]) {
        await db.query(
          `INSERT INTO rm_acl_rules (pool_id, id, scope_kind, scope_id, direction, priority,
             protocol, action, stateless) VALUES ('p', $1, 'network', 'n', $2, 1, 'any', 'drop', false)`,
          [id, direction],
        );
      }
      await migration.up(runner);
      expect(await directions()).toEqual([
        ['r1', 'from-vm'],
        ['r2', 'to-vm'],
      ]);
      await migration.down(runner);
      expect(await directions()).toEqual([
        ['r1', 'ingress'],
        ['r2', 'egress'],
      ]);
    } finally {
      await db.query('DELETE FROM rm_acl_rules');
      await runner.release();
      await source.destroy();
    }
  });
});
