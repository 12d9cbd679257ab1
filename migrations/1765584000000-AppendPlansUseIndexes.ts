import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * `es_append` looks up command ids and the stream row by primary key. PL/pgSQL caches a plan
 * per connection; one made while a table was still empty is a sequential scan (the planner
 * reads the table's size, then zero pages), and it stays cached on a pooled connection until
 * an ANALYZE invalidates it. Measured on a fresh pool under 64 clients: a scan of `es_commands`
 * on every group commit, PostgreSQL busy one core for a few thousand commands a second. Every
 * statement in the function is a key lookup or an insert, so scans are simply turned off for it.
 */
export class AppendPlansUseIndexes1765584000000 implements MigrationInterface {
  name = 'AppendPlansUseIndexes1765584000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER FUNCTION es_append(jsonb) SET enable_seqscan = off`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER FUNCTION es_append(jsonb) RESET enable_seqscan`);
  }
}
