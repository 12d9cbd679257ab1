import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * The event log's identity (issue 18): one row, a random id made with the log. A backup
 * restored keeps it; a database made anew gets another, so a member host told by the relay and
 * the snapshot which log it follows can tell another log from its own (see libs/event-store
 * log-queries.ts `readLogId`). An existing database gets its id here.
 */
export class LogIdentity1766188800000 implements MigrationInterface {
  name = 'LogIdentity1766188800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE es_log_identity (
        one_row    boolean     PRIMARY KEY DEFAULT true CHECK (one_row),
        log_id     uuid        NOT NULL DEFAULT gen_random_uuid(),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`INSERT INTO es_log_identity DEFAULT VALUES`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS es_log_identity`);
  }
}
