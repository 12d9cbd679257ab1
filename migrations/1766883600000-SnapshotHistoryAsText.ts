import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * History snapshots kept as the JSON text the writer sent (issue 22): a read of the pool at an
 * old version loads one whole snapshot, 10 MB of JSON at 1,000,000 events, and PostgreSQL
 * turning jsonb back into text cost 55 ms a megabyte, 7 times what reading the same text
 * stored as text costs. Nothing queries inside a history snapshot, so jsonb bought nothing.
 */
export class SnapshotHistoryAsText1766883600000 implements MigrationInterface {
  name = 'SnapshotHistoryAsText1766883600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE es_snapshot_history ALTER COLUMN state TYPE text USING state::text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE es_snapshot_history ALTER COLUMN state TYPE jsonb USING state::jsonb`,
    );
  }
}
