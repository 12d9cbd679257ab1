/**
 * Command bodies are read strictly on REST and NATS of the built pool master: bytes that are
 * not UTF-8 answer 400 `MALFORMED_JSON`, a body declared in another charset answers 415
 * `UNSUPPORTED_CHARSET`, and a key repeated in one object answers 400 `DUPLICATE_KEY`; none of
 * them writes. (Bad UTF-8 used to be stored as U+FFFD, `charset=iso-8859-1` was ignored so
 * `café` became `caf\uFFFD`, and a repeated key kept its last value.) UTF-8 with any
 * non-ASCII text, a UTF-8 BOM-less body with `charset=UTF-8`, and the same key in two
 * different objects are still taken.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CommandReply } from '@pool/contracts';
import { createTestDatabase } from '../support/databases.js';
import { restCommand } from './support/master-rest.js';
import { createTestNats } from '../support/nats.js';
import { startPoolMasterProcess } from '../support/pool-master-process.js';
import { killStarted } from '../support/processes.js';

const pool = `json-${randomUUID().slice(0, 8)}`;
let db: Awaited<ReturnType<typeof createTestDatabase>>;
let nats: Awaited<ReturnType<typeof createTestNats>>;
let sql: pg.Client;
let base: string;

beforeAll(async () => {
  db = await createTestDatabase();
  nats = await createTestNats();
  ({ base } = await startPoolMasterProcess(db.url, nats));
  sql = new pg.Client({ connectionString: db.url });
  await sql.connect();
  await restCommand(base, 'POST', '/pools', { poolId: pool, name: 'JSON bodies' });
});

afterAll(async () => {
  killStarted();
  await sql?.end();
  await nats?.close();
  await db?.drop();
});

const logLength = async () =>
  Number((await sql.query<{ n: string }>('SELECT count(*) AS n FROM es_events')).rows[0]!.n);

const storedVmNames = async () =>
  (
    await sql.query<{ name: string }>(
      "SELECT data->>'name' AS name FROM es_events WHERE event_type = 'VmCreated' ORDER BY global_position",
    )
  ).rows.map((row) => row.name);

const post = async (body: Buffer | string, contentType = 'application/json') => {
  const response = await fetch(`${base}/pools/${pool}/vms`, {
    method: 'POST',
    headers: { 'content-type': contentType },
    body,
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};

const request = async (body: Buffer | string): Promise<CommandReply> =>
  (
    await nats.nc.request(nats.commandSubject(pool, 'CreateVm'), body, { timeout: 10_000 })
  ).json<CommandReply>();

/** `{"data":{"vmId":…,"name":"caf<byte>"}}` with a raw byte in the name. */
const withByte = (vmId: string, byte: number, envelope: boolean) => {
  const [head, tail] = envelope
    ? [`{"data":{"vmId":"${vmId}","name":"caf`, '"}}']
    : [`{"vmId":"${vmId}","name":"caf`, '"}'];
  return Buffer.concat([Buffer.from(head), Buffer.from([byte]), Buffer.from(tail)]);
};

/** Invalid UTF-8: a lone continuation byte, Latin-1's é, an overlong '/', a cut 3-byte form. */
const BAD_UTF8 = [
  ['a lone continuation byte', Buffer.from([0x80])],
  ['Latin-1 é', Buffer.from([0xe9])],
  ['an overlong encoding', Buffer.from([0xc0, 0xaf])],
  ['a truncated sequence', Buffer.from([0xe2, 0x82])],
  ['an encoded surrogate', Buffer.from([0xed, 0xa0, 0x80])],
] as const;

const badUtf8Body = (vmId: string, bytes: Buffer, envelope: boolean) => {
  const [head, tail] = envelope
    ? [`{"data":{"vmId":"${vmId}","name":"x`, '"}}']
    : [`{"vmId":"${vmId}","name":"x`, '"}'];
  return Buffer.concat([Buffer.from(head), bytes, Buffer.from(tail)]);
};

const DUPLICATES = [
  ['a repeated field', '{"vmId":"dup1","name":"a","name":"b"}', 'name'],
  ['a repeated id', '{"vmId":"dup2","vmId":"dup3","name":"a"}', 'vmId'],
  ['a key and its escaped spelling', '{"vmId":"dup4","name":"a","n\\u0061me":"b"}', 'name'],
] as const;

describe('REST', () => {
  it.each(BAD_UTF8)('refuses %s as MALFORMED_JSON and writes nothing', async (_, bytes) => {
    const before = await logLength();
    const answer = await post(badUtf8Body(`u-${randomUUID().slice(0, 8)}`, bytes, false));
    expect(answer).toMatchObject({
      status: 400,
      body: { statusCode: 400, code: 'MALFORMED_JSON' },
    });
    expect(answer.body.message).toMatch(/UTF-8/);
    expect(await logLength()).toBe(before);
  });

  it.each([
    'application/json; charset=iso-8859-1',
    'application/json; charset="latin1"',
    'application/json;charset=UTF-16',
    'application/json; charset=windows-1252',
  ])('refuses %s as 415 UNSUPPORTED_CHARSET, even for ASCII bytes', async (type) => {
    const before = await logLength();
    for (const body of [withByte('cs1', 0xe9, false), '{"vmId":"cs2","name":"cafe"}']) {
      const answer = await post(body, type);
      expect(answer).toMatchObject({
        status: 415,
        body: { statusCode: 415, code: 'UNSUPPORTED_CHARSET' },
      });
    }
    expect(await logLength()).toBe(before);
  });

  it.each(DUPLICATES)('refuses %s as DUPLICATE_KEY', async (_, body, key) => {
    const before = await logLength();
    const answer = await post(body);
    expect(answer).toMatchObject({
      status: 400,
      body: { statusCode: 400, code: 'DUPLICATE_KEY', details: { key } },
    });
    expect(await logLength()).toBe(before);
  });

  it('still takes UTF-8 text, a charset=UTF-8 label, and one key in two objects', async () => {
    expect((await post('{"vmId":"ok1","name":"café ネット"}')).status).toBe(201);
    expect(
      (await post('{"vmId":"ok2","name":"café 2"}', 'application/json; charset=UTF-8')).status,
    ).toBe(201);
    const nested = await fetch(`${base}/pools/${pool}/vms/ok1/vifs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"vifId":"ok1-0","device":0,"networkId":"nope","qos":{"device":1}}',
    });
    // Refused for other reasons than a repeated key: `device` sits in two objects.
    expect(((await nested.json()) as { code: string }).code).not.toBe('DUPLICATE_KEY');
    const names = await storedVmNames();
    expect(names).toContain('café ネット');
    expect(names).toContain('café 2');
    expect(names.some((name) => name.includes('\uFFFD'))).toBe(false);
  });
});

describe('NATS', () => {
  it.each(BAD_UTF8)('refuses %s as MALFORMED_JSON and writes nothing', async (_, bytes) => {
    const before = await logLength();
    const reply = await request(badUtf8Body(`n-${randomUUID().slice(0, 8)}`, bytes, true));
    expect(reply).toMatchObject({ ok: false, error: { status: 400, code: 'MALFORMED_JSON' } });
    expect(await logLength()).toBe(before);
  });

  it.each([
    ['a repeated data field', '{"data":{"vmId":"nd1","name":"a","name":"b"}}', 'data.name'],
    ['a repeated envelope key', '{"data":{"vmId":"nd2","name":"a"},"data":{}}', 'data'],
  ])('refuses %s as DUPLICATE_KEY', async (_, body, key) => {
    const before = await logLength();
    const reply = await request(body);
    expect(reply).toMatchObject({
      ok: false,
      error: { status: 400, code: 'DUPLICATE_KEY', details: { key } },
    });
    expect(await logLength()).toBe(before);
  });

  it('still takes UTF-8 text, stored as sent', async () => {
    const reply = await request('{"data":{"vmId":"nok1","name":"crème ネット"}}');
    expect(reply.ok).toBe(true);
    expect(await storedVmNames()).toContain('crème ネット');
  });
});
