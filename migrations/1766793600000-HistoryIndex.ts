import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Which objects each event of a pool named (issue 22), so a diff attributes its changes to
 * events and actors by looking up only the changed objects instead of reading every event
 * between its versions (libs/event-store history-index.ts). `ordinal` counts the events that
 * named the object so far in its stream: the count between two versions is a difference of two
 * ordinals, two index probes however busy the object was. `es_history_index` is how far a
 * stream has been indexed; the rows are kept up as the log grows, by the master in the
 * background and by any reader that finds the index behind.
 */
export class HistoryIndex1766793600000 implements MigrationInterface {
  name = 'HistoryIndex1766793600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE es_object_touches (
        stream_id      text   NOT NULL,
        object_key     text   NOT NULL,
        stream_version bigint NOT NULL,
        ordinal        bigint NOT NULL,
        event_type     text   NOT NULL,
        actor          text,
        recorded_at    timestamptz NOT NULL,
        PRIMARY KEY (stream_id, object_key, stream_version)
      )`);
    await q.query(`
      CREATE TABLE es_history_index (
        stream_id       text   PRIMARY KEY,
        indexed_version bigint NOT NULL,
        updated_at      timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS es_history_index`);
    await q.query(`DROP TABLE IF EXISTS es_object_touches`);
  }
}
