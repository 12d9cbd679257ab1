import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * A host held at an earlier version after its network watchdog rolled a change back, as its
 * last report says (`held`: version, refusedVersion, followedVersion, reason, since); null
 * otherwise.
 */
export class HostStatusHeld1766620800000 implements MigrationInterface {
  name = 'HostStatusHeld1766620800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE rm_host_status ADD COLUMN held jsonb`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE rm_host_status DROP COLUMN held`);
  }
}
