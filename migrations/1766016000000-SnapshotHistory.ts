import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Start points for reading a pool at an old version (issue 22): `es_snapshots` keeps only each
 * stream's latest snapshot; `es_snapshot_history` keeps one per 10,000 versions (see
 * libs/event-store snapshot-history.ts), so a state at any version is a snapshot plus a short
 * tail, never a replay of the whole log.
 */
export class SnapshotHistory1766016000000 implements MigrationInterface {
  name = 'SnapshotHistory1766016000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE es_snapshot_history (
        stream_id      text   NOT NULL,
        stream_version bigint NOT NULL,
        state_version  text   NOT NULL,
        state          jsonb  NOT NULL,
        created_at     timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (stream_id, stream_version)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS es_snapshot_history`);
  }
}
