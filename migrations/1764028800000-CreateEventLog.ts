import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * The pool event log (DESIGN §3, eventsourcing-anchors §b.1).
 *
 * Readers follow the log in commit order with the xmin fence on `(log_epoch, transaction_id,
 * global_position)`, never by position alone: positions are handed out at insert time but become
 * visible at commit, so a reader on `global_position > last` loses events under concurrency.
 */
export class CreateEventLog1764028800000 implements MigrationInterface {
  name = 'CreateEventLog1764028800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE es_streams (
        stream_id   text PRIMARY KEY,
        stream_type text NOT NULL,
        version     bigint NOT NULL,
        updated_at  timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE SEQUENCE es_global_position`);
    await q.query(`
      CREATE TABLE es_events (
        log_epoch       smallint NOT NULL DEFAULT 1,
        transaction_id  xid8     NOT NULL DEFAULT pg_current_xact_id(),
        global_position bigint   NOT NULL DEFAULT nextval('es_global_position'),
        stream_id       text     NOT NULL,
        stream_version  bigint   NOT NULL,
        event_id        uuid     NOT NULL,
        event_type      text     NOT NULL,
        schema_version  integer  NOT NULL DEFAULT 1,
        data            jsonb    NOT NULL,
        metadata        jsonb    NOT NULL DEFAULT '{}',
        created_at      timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (stream_id, stream_version)
      )`);
    await q.query(`CREATE UNIQUE INDEX es_events_event_id ON es_events (event_id)`);
    // The feed index: without it every poll scans and sorts the table (emmett 3dcd373f).
    await q.query(
      `CREATE INDEX es_events_feed ON es_events (log_epoch, transaction_id, global_position)`,
    );
    // Idempotency: one row per command id, holding the result the first append returned.
    await q.query(`
      CREATE TABLE es_commands (
        command_id    text PRIMARY KEY,
        stream_id     text   NOT NULL,
        first_version bigint NOT NULL,
        last_version  bigint NOT NULL,
        created_at    timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE es_checkpoints (
        consumer        text PRIMARY KEY,
        log_epoch       smallint NOT NULL,
        transaction_id  xid8     NOT NULL,
        global_position bigint   NOT NULL,
        updated_at      timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE es_snapshots (
        stream_id      text PRIMARY KEY,
        stream_version bigint NOT NULL,
        state_version  text   NOT NULL,
        state          jsonb  NOT NULL,
        created_at     timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(APPEND_FUNCTION);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION IF EXISTS es_append(jsonb)`);
    for (const table of [
      'es_snapshots',
      'es_checkpoints',
      'es_commands',
      'es_events',
      'es_streams',
    ]) {
      await q.query(`DROP TABLE IF EXISTS ${table}`);
    }
    await q.query(`DROP SEQUENCE IF EXISTS es_global_position`);
  }
}

/**
 * Appends a list of requests, each to one stream, in the caller's transaction (which the store
 * runs at REPEATABLE READ: a writer that read a stale stream row fails with 40001 rather than
 * append after a newer version with an older xid).
 *
 * Per request: the command ids are checked first (all known → the stored result, nothing
 * written; some known → partial_duplicate), then the expected version, and only then are
 * sequence values taken, so a refused append leaves no gap behind (marten#4765).
 * Refusals are results, not exceptions, so one stale request does not fail its batch.
 */
export const APPEND_FUNCTION = `
CREATE FUNCTION es_append(p_requests jsonb) RETURNS jsonb
LANGUAGE plpgsql AS $fn$
DECLARE
  r jsonb;
  results jsonb := '[]'::jsonb;
  v_stream text;
  v_mode text;
  v_expected bigint;
  v_current bigint;
  v_count int;
  v_known int;
  v_commands jsonb;
  v_command_count int;
  v_stored jsonb;
  v_positions jsonb;
BEGIN
  FOR r IN SELECT * FROM jsonb_array_elements(p_requests) LOOP
    v_stream := r->>'streamId';
    v_mode := r->>'expected';
    v_expected := (r->>'expectedVersion')::bigint;
    v_commands := coalesce(r->'commands', '[]'::jsonb);
    v_count := jsonb_array_length(r->'events');
    v_command_count := jsonb_array_length(v_commands);

    IF v_command_count > 0 THEN
      SELECT count(*), jsonb_agg(jsonb_build_object('commandId', c.command_id,
               'streamId', c.stream_id, 'firstVersion', c.first_version,
               'lastVersion', c.last_version) ORDER BY c.first_version)
        INTO v_known, v_stored
        FROM es_commands c
       -- = ANY(ARRAY(...)) so the planner uses the primary key (IN (SELECT ...) scanned).
       WHERE c.command_id = ANY (ARRAY(SELECT jsonb_array_elements_text(
               jsonb_path_query_array(v_commands, '$[*].commandId'))));
      IF v_known = v_command_count THEN
        results := results || jsonb_build_array(jsonb_build_object(
          'outcome', 'duplicate', 'commands', v_stored));
        CONTINUE;
      ELSIF v_known > 0 THEN
        results := results || jsonb_build_array(jsonb_build_object(
          'outcome', 'partial_duplicate', 'commands', v_stored));
        CONTINUE;
      END IF;
    END IF;

    SELECT s.version INTO v_current FROM es_streams s WHERE s.stream_id = v_stream FOR UPDATE;
    IF NOT FOUND THEN
      v_current := 0;
    END IF;

    IF (v_mode = 'no_stream' AND v_current <> 0)
       OR (v_mode = 'stream_exists' AND v_current = 0)
       OR (v_mode = 'exact' AND v_current <> v_expected) THEN
      results := results || jsonb_build_array(jsonb_build_object(
        'outcome', 'wrong_version', 'actualVersion', v_current));
      CONTINUE;
    END IF;

    v_positions := '[]'::jsonb;
    IF v_count > 0 THEN
    IF v_current = 0 THEN
      INSERT INTO es_streams (stream_id, stream_type, version)
        VALUES (v_stream, r->>'streamType', v_count);
    ELSE
      UPDATE es_streams SET version = v_current + v_count, updated_at = now()
       WHERE stream_id = v_stream;
    END IF;

    WITH inserted AS (
      INSERT INTO es_events (stream_id, stream_version, event_id, event_type, schema_version,
                             data, metadata)
      SELECT v_stream, v_current + e.ord, (e.ev->>'eventId')::uuid, e.ev->>'type',
             coalesce((e.ev->>'schemaVersion')::int, 1), e.ev->'data',
             coalesce(e.ev->'metadata', '{}'::jsonb)
        FROM jsonb_array_elements(r->'events') WITH ORDINALITY AS e(ev, ord)
      RETURNING global_position, stream_version
    )
    SELECT jsonb_agg(global_position::text ORDER BY stream_version) INTO v_positions FROM inserted;
    END IF;

    INSERT INTO es_commands (command_id, stream_id, first_version, last_version)
    SELECT c.cmd->>'commandId', v_stream,
           v_current + (c.cmd->>'firstOffset')::bigint + 1,
           v_current + (c.cmd->>'firstOffset')::bigint + (c.cmd->>'count')::bigint
      FROM jsonb_array_elements(v_commands) AS c(cmd);

    results := results || jsonb_build_array(jsonb_build_object(
      'outcome', 'appended',
      'firstVersion', v_current + 1,
      'lastVersion', v_current + v_count,
      'transactionId', pg_current_xact_id()::text,
      'positions', v_positions));
  END LOOP;
  -- No pg_notify here: a NOTIFY holds a database-wide lock through commit and would serialize
  -- every append's WAL flush. The store notifies after commit instead.
  RETURN results;
END
$fn$`;
