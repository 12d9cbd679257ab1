import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Read models of security groups, address sets and default-deny: two new log-derived tables
 * and a member table, the network's default policy, and an ACL rule's group scope, remote
 * (address set or group) and `stateless`. Rows already written lack what the log says about
 * these (a `stateless` rule, a network set to deny), so the log-derived tables and their
 * checkpoint are emptied: the projector rebuilds them from the first event, as
 * `projection rebuild` would. Report-fed tables (host status, ports, counters) stay.
 */
export class CreateSecurityGroupReadModels1765756800000 implements MigrationInterface {
  name = 'CreateSecurityGroupReadModels1765756800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE rm_address_sets (
      pool_id text NOT NULL,
      id text NOT NULL,
      name text NOT NULL,
      cidrs jsonb NOT NULL,
      PRIMARY KEY (pool_id, id)
    )`);
    await q.query(`CREATE TABLE rm_security_groups (
      pool_id text NOT NULL,
      id text NOT NULL,
      name text NOT NULL,
      default_policy text NOT NULL,
      PRIMARY KEY (pool_id, id)
    )`);
    await q.query(`CREATE TABLE rm_security_group_members (
      pool_id text NOT NULL,
      group_id text NOT NULL,
      vif_id text NOT NULL,
      PRIMARY KEY (pool_id, group_id, vif_id)
    )`);
    await q.query(
      `CREATE INDEX rm_security_group_members_vif ON rm_security_group_members (pool_id, vif_id)`,
    );
    await q.query(`ALTER TABLE rm_networks ADD COLUMN acl_default text NOT NULL DEFAULT 'allow'`);
    await q.query(`ALTER TABLE rm_acl_rules
      ADD COLUMN address_set_id text,
      ADD COLUMN remote_group_id text,
      ADD COLUMN stateless boolean NOT NULL DEFAULT false`);
    await q.query(`TRUNCATE ${LOG_TABLES.join(', ')}`);
    await q.query(`DELETE FROM rm_checkpoints WHERE projection = 'read-models'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE rm_acl_rules
      DROP COLUMN stateless, DROP COLUMN remote_group_id, DROP COLUMN address_set_id`);
    await q.query(`ALTER TABLE rm_networks DROP COLUMN acl_default`);
    await q.query(`DROP TABLE IF EXISTS rm_security_group_members`);
    await q.query(`DROP TABLE IF EXISTS rm_security_groups`);
    await q.query(`DROP TABLE IF EXISTS rm_address_sets`);
    // The older projection rebuilds too, rather than keep rows it cannot read back.
    await q.query(`TRUNCATE ${LOG_TABLES.filter((t) => !NEW_TABLES.includes(t)).join(', ')}`);
    await q.query(`DELETE FROM rm_checkpoints WHERE projection = 'read-models'`);
  }
}

const NEW_TABLES = ['rm_address_sets', 'rm_security_groups', 'rm_security_group_members'];

/** Every log-derived table after this migration (read-model-tables.ts LOG_TABLES). */
const LOG_TABLES = [
  'rm_pools',
  'rm_hosts',
  'rm_pifs',
  'rm_bonds',
  'rm_advice',
  'rm_uplinks',
  'rm_networks',
  'rm_vms',
  'rm_vifs',
  'rm_addresses',
  'rm_address_sets',
  'rm_security_groups',
  'rm_security_group_members',
  'rm_acl_rules',
  'rm_mirrors',
  'rm_migrations',
];
