import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Hits per ACL rule per host, as member hosts report them (HostReport.aclCounters): fed by
 * reports like rm_counters, not derived from the log, so a rebuild keeps them.
 */
export class CreateAclCounters1765670400000 implements MigrationInterface {
  name = 'CreateAclCounters1765670400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE rm_acl_counters (
      pool_id text NOT NULL,
      rule_id text NOT NULL,
      host_id text NOT NULL,
      packets bigint NOT NULL,
      bytes bigint NOT NULL,
      updated_at timestamptz NOT NULL,
      PRIMARY KEY (pool_id, rule_id, host_id)
    )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS rm_acl_counters`);
  }
}
