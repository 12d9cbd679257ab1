import { type MigrationInterface, type QueryRunner } from 'typeorm';
import { APPEND_FUNCTION } from './1764028800000-CreateEventLog.js';

/**
 * An idempotency record binds its command id to what was asked (issue 18): `es_commands` gains
 * the command's fingerprint (pool, type and canonical data, hashed by the writer), and
 * `es_append` refuses a request whose stored ids carry another fingerprint or stream
 * (`key_reused`, nothing written) instead of answering it with the first command's result.
 * Rows stored before this migration have no fingerprint and keep the old rule (any reuse on
 * the same stream is a duplicate). A reuse racing its first use meets the primary key: the
 * loser's transaction fails on `es_commands_pkey`, is retried, and then finds the row.
 */
export class IdempotencyFingerprints1765843200000 implements MigrationInterface {
  name = 'IdempotencyFingerprints1765843200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE es_commands ADD COLUMN fingerprint text`);
    await q.query(`DROP FUNCTION es_append(jsonb)`);
    await q.query(APPEND_WITH_FINGERPRINTS);
    await q.query(`ALTER FUNCTION es_append(jsonb) SET enable_seqscan = off`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION es_append(jsonb)`);
    await q.query(APPEND_FUNCTION);
    await q.query(`ALTER FUNCTION es_append(jsonb) SET enable_seqscan = off`);
    await q.query(`ALTER TABLE es_commands DROP COLUMN fingerprint`);
  }
}

/** The changes to CreateEventLog's `es_append`, each text and what replaces it. */
const CHANGES: [string, string][] = [
  ['  v_stored jsonb;\n', '  v_stored jsonb;\n  v_reused jsonb;\n'],
  [
    "'lastVersion', c.last_version) ORDER BY",
    "'lastVersion', c.last_version, 'fingerprint', c.fingerprint) ORDER BY",
  ],
  [
    '      IF v_known = v_command_count THEN\n',
    `      IF v_known > 0 THEN
        -- A stored id on another stream, or with another fingerprint, is a reused key.
        SELECT jsonb_agg(s->>'commandId') INTO v_reused
          FROM jsonb_array_elements(v_stored) AS s
          JOIN jsonb_array_elements(v_commands) AS q ON q->>'commandId' = s->>'commandId'
         WHERE s->>'streamId' <> v_stream
            OR (jsonb_typeof(s->'fingerprint') = 'string'
                AND jsonb_typeof(q->'fingerprint') = 'string'
                AND s->>'fingerprint' <> q->>'fingerprint');
        IF v_reused IS NOT NULL THEN
          results := results || jsonb_build_array(jsonb_build_object(
            'outcome', 'key_reused', 'commandIds', v_reused));
          CONTINUE;
        END IF;
      END IF;
      IF v_known = v_command_count THEN
`,
  ],
  [
    'INSERT INTO es_commands (command_id, stream_id, first_version, last_version)',
    'INSERT INTO es_commands (command_id, stream_id, first_version, last_version, fingerprint)',
  ],
  ["(c.cmd->>'count')::bigint\n", "(c.cmd->>'count')::bigint,\n           c.cmd->>'fingerprint'\n"],
];

/** CreateEventLog's function with the changes made; a change that finds nothing is an error. */
const APPEND_WITH_FINGERPRINTS = CHANGES.reduce((sql, [from, to]) => {
  if (sql.split(from).length !== 2) throw new Error(`es_append: expected one ${from.trim()}`);
  return sql.replace(from, () => to);
}, APPEND_FUNCTION);
