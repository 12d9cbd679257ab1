import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Whether each mirror is realised right now (`active`, `partial`, `inactive`), the host of its
 * monitor's port and why parts of it are not realised: derived from the log (libs/vswitch
 * mirror-legs.ts), so rows already written cannot get it in SQL. The log-derived tables and
 * their checkpoint are emptied, and the projector rebuilds them from the first event, as
 * `projection rebuild` would. Report-fed tables (host status, ports, counters) stay.
 */
export class MirrorStatus1766361600000 implements MigrationInterface {
  name = 'MirrorStatus1766361600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE rm_mirrors
      ADD COLUMN state text NOT NULL DEFAULT 'inactive',
      ADD COLUMN monitor_host_id text,
      ADD COLUMN problems jsonb NOT NULL DEFAULT '[]'`);
    await q.query(`TRUNCATE ${LOG_TABLES.join(', ')}`);
    await q.query(`DELETE FROM rm_checkpoints WHERE projection = 'read-models'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE rm_mirrors
      DROP COLUMN problems, DROP COLUMN monitor_host_id, DROP COLUMN state`);
  }
}

/** Every log-derived table at this migration (read-model-tables.ts LOG_TABLES). */
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
