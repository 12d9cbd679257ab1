import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * A host's configured management and storage interfaces in its read-model row (issue 21).
 * Rows already written lack them (and the advice counts them), so the log-derived tables and
 * their checkpoint are emptied and the projector rebuilds them from the first event, as
 * `projection rebuild` would. Report-fed tables (host status, ports, counters) stay.
 */
export class HostInterfacesReadModel1766534400000 implements MigrationInterface {
  name = 'HostInterfacesReadModel1766534400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE rm_hosts ADD COLUMN interfaces jsonb NOT NULL DEFAULT '[]'`);
    await q.query(`TRUNCATE ${LOG_TABLES.join(', ')}`);
    await q.query(`DELETE FROM rm_checkpoints WHERE projection = 'read-models'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE rm_hosts DROP COLUMN interfaces`);
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
