/**
 * Fuzzing the pool master's word to its callers (issue 18) with fast-check, over REST, NATS and
 * gRPC of one built master: a used idempotency key sent with another command, an actor the
 * caller names, thousands of problems in one request, bytes that are not UTF-8 and charsets
 * other than UTF-8, names with format characters or spelled like a name in use, and IPv6
 * addresses that embed an IPv4 one (generators: support/broken-words.ts). The invariant, per
 * case: the answer is a 4xx or a typed error with a `code` (one the case allows), delivered
 * within its deadline; the log's head does not move; and the master stays healthy.
 * Needs `npm run build`.
 */
import { randomUUID } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import fc from 'fast-check';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CommandReply } from '@pool/contracts';
import { createTestDatabase } from '../support/databases.js';
import { createTestNats } from '../support/nats.js';
import { startPoolMasterProcess, type PoolMasterReplica } from '../support/pool-master-process.js';
import { freePort, killStarted } from '../support/processes.js';
import {
  brokenWords,
  type Command,
  type KeyedCommand,
  type WordCase,
} from './support/broken-words.js';
import { configuredPool, type SetupStep } from './support/configured-pool.js';
import {
  type ErrorReply,
  type ExecuteClient,
  poolMasterGrpcClient,
} from './support/pool-master-grpc-client.js';

const RUNS = Number(process.env.FUZZ_WORD_RUNS ?? 1500);
const HEALTH_EVERY = 50;
/** Every answer must arrive within this, refusals of thousands of problems included. */
const DEADLINE_MS = 10_000;
/** Entries a refusal's lists keep (bounded-error.ts). */
const DETAIL_ENTRIES = 20;

const POOL = `word-${randomUUID().slice(0, 8)}`;
const P = `/pools/${POOL}`;
/** A case's pool: the suite's, or the one its defect names. */
const poolOf = (c: WordCase) => (c.defect.kind === 'pool' ? c.defect.pool : POOL);

// ---------------------------------------------------------------------------------------------
// The pool, and the commands the cases start from

const SETUP: SetupStep[] = [
  ...configuredPool(POOL, 'word'),
  [
    'POST',
    `${P}/address-sets`,
    { addressSetId: 'office', name: 'office', cidrs: ['192.0.2.0/24'] },
  ],
  ['POST', `${P}/security-groups`, { groupId: 'sg-web', name: 'web-tier' }],
];

/** Written during setup under their keys; every case reuses one with another command. */
const KEYED: KeyedCommand[] = [
  { key: `k-vm-${randomUUID()}`, type: 'CreateVm', data: { vmId: 'keyed-vm', name: 'keyed' } },
  {
    key: `k-net-${randomUUID()}`,
    type: 'CreateNetwork',
    data: { networkId: 'keyed-net', name: 'keyed-net', purpose: 'vm', kind: 'private' },
  },
  { key: `k-ren-${randomUUID()}`, type: 'RenameVm', data: { vmId: 'idle', name: 'idle-1' } },
];

/** Commands the pool would take as they are: a refusal must come from the defect alone. */
const VALID: Command[] = [
  { type: 'CreateVm', data: { vmId: 'new-vm', name: 'new' } },
  { type: 'RenameVm', data: { vmId: 'web', name: 'web-2' } },
  {
    type: 'CreateNetwork',
    data: { networkId: 'new-net', name: 'new-net', purpose: 'storage', kind: 'private' },
  },
  { type: 'UpdateNetwork', data: { networkId: 'priv', mtu: 9000 } },
  {
    type: 'CreateAddressSet',
    data: { addressSetId: 'new-set', name: 'new-set', cidrs: ['198.51.100.0/24'] },
  },
  { type: 'CreateSecurityGroup', data: { groupId: 'new-sg', name: 'new-sg' } },
  { type: 'RenamePool', data: { name: 'renamed' } },
  {
    type: 'CreateVif',
    data: { vifId: 'idle-0', vmId: 'idle', device: 0, networkId: 'priv', ipv6: '2001:db8::5' },
  },
  { type: 'UpdateVif', data: { vifId: 'web-0', ipv6: '2001:db8::10' } },
];

const byType = (type: string) => VALID.find((c) => c.type === type)!;

/** REST: each command's route under `p`, its URL ids out of the data, the rest as the body. */
type Route = (data: Record<string, unknown>, p: string) => [string, string, unknown];
const ROUTES: Record<string, Route> = {
  CreateVm: (data, p) => ['POST', `${p}/vms`, data],
  RenameVm: ({ vmId, ...body }, p) => ['PATCH', `${p}/vms/${url(vmId)}`, body],
  CreateNetwork: (data, p) => ['POST', `${p}/networks`, data],
  UpdateNetwork: ({ networkId, ...body }, p) => ['PATCH', `${p}/networks/${url(networkId)}`, body],
  CreateAddressSet: (data, p) => ['POST', `${p}/address-sets`, data],
  CreateSecurityGroup: (data, p) => ['POST', `${p}/security-groups`, data],
  RenamePool: (data, p) => ['PATCH', p, data],
  CreateVif: ({ vmId, ...body }, p) => ['POST', `${p}/vms/${url(vmId)}/vifs`, body],
  UpdateVif: ({ vifId, ...body }, p) => ['PATCH', `${p}/vms/web/vifs/${url(vifId)}`, body],
};
const url = (id: unknown) => encodeURIComponent(String(id));

const wordCase = brokenWords(POOL, KEYED, {
  valid: VALID,
  named: VALID.filter((c) => 'name' in c.data),
  takenNames: [
    ...['ext', 'priv', 'keyed-net'].map((name) => ({
      name,
      create: (spelled: string, n: number): Command => ({
        type: 'CreateNetwork',
        data: { networkId: `la-${n}`, name: spelled, purpose: 'vm', kind: 'private' },
      }),
    })),
    {
      name: 'office',
      create: (spelled, n) => ({
        type: 'CreateAddressSet',
        data: { addressSetId: `la-${n}`, name: spelled, cidrs: ['203.0.113.0/24'] },
      }),
    },
    {
      name: 'web-tier',
      create: (spelled, n) => ({
        type: 'CreateSecurityGroup',
        data: { groupId: `la-${n}`, name: spelled },
      }),
    },
  ],
  ipv6: [
    { command: byType('CreateVif'), field: 'ipv6' },
    { command: byType('UpdateVif'), field: 'ipv6' },
    { command: byType('CreateAddressSet'), field: 'cidrs' },
  ],
});

type Transport = 'rest' | 'nats' | 'grpc';

/**
 * A case on a transport that can carry it: a charset is only REST's to declare; a pool id that
 * is no subject token (a '.', a space, a wildcard) would be another subject over NATS, and '.'
 * or '..' another URL over REST.
 */
const onTransport: fc.Arbitrary<{ c: WordCase; transport: Transport }> = fc
  .tuple(wordCase, fc.constantFrom<Transport>('rest', 'nats', 'grpc'))
  .map(([c, transport]) => ({ c, transport: carrier(c, transport) }));

function carrier(c: WordCase, wanted: Transport): Transport {
  if (c.defect.kind === 'charset') return 'rest';
  if (c.defect.kind !== 'pool') return wanted;
  if (wanted === 'nats' && !/^[^\s.*>]+$/u.test(c.defect.pool)) return 'grpc';
  if (wanted === 'rest' && ['.', '..'].includes(c.defect.pool)) return 'grpc';
  return wanted;
}

// ---------------------------------------------------------------------------------------------
// The request of each transport

/** What came back: a refusal's status, code and details, or an acceptance. */
type Answer =
  | { refused: true; status: number; code: string; message: string; details?: unknown }
  | { refused: false; text: string };

const SPLICE = 'SPLICEHERE';

/** The data, with the defects that live in it applied. */
function dataOf(c: WordCase): Record<string, unknown> {
  const { data } = c.command;
  switch (c.defect.kind) {
    case 'unknownFields':
      return c.defect.where === 'data' ? { ...data, ...unknownFields(c) } : data;
    case 'badUtf8':
      return { ...data, name: `a${SPLICE}b` };
    default:
      return data;
  }
}

function unknownFields(c: WordCase): Record<string, number> {
  if (c.defect.kind !== 'unknownFields') return {};
  const { count, keyLength } = c.defect;
  const fields: Record<string, number> = {};
  for (let i = 0; i < count; i++) fields[`u${i}_`.padEnd(keyLength, 'x')] = i;
  return fields;
}

/** JSON text as bytes, with a bad-UTF-8 case's bytes spliced in where its marker is. */
function bytesOf(c: WordCase, text: string): Buffer {
  if (c.defect.kind !== 'badUtf8') return Buffer.from(text);
  const [before, after] = text.split(SPLICE) as [string, string];
  return Buffer.concat([Buffer.from(before), Buffer.from(c.defect.bytes), Buffer.from(after)]);
}

async function overRest(c: WordCase): Promise<Answer> {
  const data = dataOf(c);
  const [method, path, body] = ROUTES[c.command.type]!(data, `/pools/${url(poolOf(c))}`);
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (c.defect.kind === 'charset') headers['content-type'] += `; charset=${c.defect.charset}`;
  if (c.defect.kind === 'key') headers['idempotency-key'] = c.defect.key;
  let sent = body as Record<string, unknown>;
  // REST has no envelope fields: unknown ones, and an actor, can only go in the body.
  if (c.defect.kind === 'unknownFields' && c.defect.where === 'envelope') {
    sent = { ...sent, ...unknownFields(c) };
  }
  if (c.defect.kind === 'actor') sent = { ...sent, actor: c.defect.actor };
  const response = await fetch(`${base}${path}`, {
    method,
    headers,
    body: bytesOf(c, JSON.stringify(sent)),
    signal: AbortSignal.timeout(DEADLINE_MS),
  });
  const text = await response.text();
  if (response.status < 400 || response.status >= 500) return { refused: false, text };
  const json = JSON.parse(text) as { statusCode: number; code: string; message: string };
  if (json.statusCode !== response.status) return { refused: false, text };
  return { refused: true, status: response.status, ...json };
}

async function overNats(c: WordCase): Promise<Answer> {
  const request: Record<string, unknown> = { data: dataOf(c) };
  if (c.defect.kind === 'key') request.commandId = c.defect.key;
  if (c.defect.kind === 'actor') request.actor = c.defect.actor;
  if (c.defect.kind === 'unknownFields' && c.defect.where === 'envelope') {
    Object.assign(request, unknownFields(c));
  }
  const msg = await nats.nc.request(
    nats.commandSubject(poolOf(c), c.command.type),
    bytesOf(c, JSON.stringify(request)),
    { timeout: DEADLINE_MS },
  );
  const reply = msg.json<CommandReply>();
  if (reply.ok) return { refused: false, text: JSON.stringify(reply) };
  return { refused: true, ...reply.error };
}

/** `poolnet.v1.CommandRequest`'s string fields, encoded by hand so any bytes can be sent. */
function encodeRequest(fields: [field: number, bytes: Buffer][]): Buffer {
  const parts = fields.flatMap(([field, bytes]) => [
    Buffer.from([(field << 3) | 2]),
    varint(bytes.length),
    bytes,
  ]);
  return Buffer.concat(parts);
}

const varint = (n: number): Buffer => {
  const out: number[] = [];
  for (; n > 0x7f; n >>>= 7) out.push((n & 0x7f) | 0x80);
  out.push(n);
  return Buffer.from(out);
};

async function overGrpc(c: WordCase): Promise<Answer> {
  const data = { ...dataOf(c) };
  // gRPC has no envelope fields beyond its own: unknown ones go in the data.
  if (c.defect.kind === 'unknownFields' && c.defect.where === 'envelope') {
    Object.assign(data, unknownFields(c));
  }
  const fields: [number, Buffer][] = [
    [1, Buffer.from(poolOf(c))],
    [2, Buffer.from(c.command.type)],
    [3, bytesOf(c, JSON.stringify(data))],
  ];
  if (c.defect.kind === 'key') fields.push([4, Buffer.from(c.defect.key)]);
  if (c.defect.kind === 'actor') fields.push([8, Buffer.from(c.defect.actor)]);
  const error = await new Promise<grpc.ServiceError | null>((resolve) =>
    client.makeUnaryRequest(
      '/poolnet.v1.PoolMaster/Execute',
      (bytes: Buffer) => bytes,
      (bytes: Buffer) => bytes,
      encodeRequest(fields),
      new grpc.Metadata(),
      { deadline: Date.now() + DEADLINE_MS },
      (e) => resolve(e),
    ),
  );
  if (error === null) return { refused: false, text: 'accepted' };
  if (error.metadata.get('poolnet-reply-bin').length === 0) {
    return { refused: false, text: `${grpc.status[error.code]}: ${error.details}` };
  }
  const { error: typed } = errorReply(error);
  const status = Number(error.metadata.get('poolnet-status')[0] ?? 0);
  return {
    refused: true,
    status,
    code: typed.code,
    message: typed.message,
    details: typed.detailsJson ? JSON.parse(typed.detailsJson) : undefined,
  };
}

const SEND: Record<Transport, (c: WordCase) => Promise<Answer>> = {
  rest: overRest,
  nats: overNats,
  grpc: overGrpc,
};

/** What is wrong with an answer, or undefined when it keeps the API's word. */
function brokenPromise(c: WordCase, transport: Transport, answer: Answer): string | undefined {
  if (!answer.refused) return `not refused: ${answer.text.slice(0, 300)}`;
  const { status, code, message } = answer;
  if (!Number.isInteger(status) || status < 400 || status >= 500) return `status ${status}`;
  if (!c.codes[transport].includes(code)) {
    return `code ${code} (${message.slice(0, 200)}), expected ${c.codes[transport].join(' or ')}`;
  }
  if (!/\S/.test(message)) return 'no message';
  if (c.defect.kind === 'unknownFields') return unbounded(c.defect.count, answer);
  return undefined;
}

/** A refusal of `count` problems lists the first few and the count, and says how many more. */
function unbounded(count: number, answer: Extract<Answer, { refused: true }>): string | undefined {
  if (answer.code === 'BODY_TOO_LARGE') return undefined;
  if (answer.code === 'UNKNOWN_FIELDS') {
    return answer.message.includes(`and ${count - 5} more`) ? undefined : 'no count in message';
  }
  const details = answer.details as { problems?: unknown[]; problemsTotal?: number } | undefined;
  if ((details?.problems?.length ?? 0) === 0) return 'no problems listed';
  if (details!.problems!.length > DETAIL_ENTRIES) return `${details!.problems!.length} problems`;
  if (count > DETAIL_ENTRIES && details!.problemsTotal !== count) {
    return `problemsTotal ${details!.problemsTotal} for ${count}`;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let nats: Awaited<ReturnType<typeof createTestNats>>;
let master: PoolMasterReplica;
let base: string;
let sql: pg.Client;
let client: ExecuteClient;
let errorReply: (error: grpc.ServiceError) => ErrorReply;

/** The log's head: how many events, and the last one's position. */
const head = async (): Promise<string> =>
  JSON.stringify(
    (
      await sql.query<{ n: string; last: string | null }>(
        'SELECT count(*) AS n, max(global_position) AS last FROM es_events',
      )
    ).rows[0],
  );

async function healthy(): Promise<string | undefined> {
  const { child } = master.running;
  if (child.exitCode !== null || child.signalCode !== null) {
    return `the master exited (${child.exitCode ?? child.signalCode})`;
  }
  const response = await fetch(`${base}/health`, { signal: AbortSignal.timeout(DEADLINE_MS) });
  return response.status === 200 ? undefined : `/health answered ${response.status}`;
}

beforeAll(async () => {
  db = await createTestDatabase();
  nats = await createTestNats();
  const address = `127.0.0.1:${await freePort()}`;
  master = await startPoolMasterProcess(db.url, nats, { GRPC_URL: address });
  base = master.base;
  ({ client, errorReply } = poolMasterGrpcClient(address));
  sql = new pg.Client({ connectionString: db.url });
  await sql.connect();
  const keyed: [SetupStep, string?][] = [
    ...SETUP.map((step): [SetupStep] => [step]),
    ...KEYED.map(({ key, type, data }): [SetupStep, string] => [ROUTES[type]!(data, P), key]),
  ];
  for (const [[method, path, body], key] of keyed) {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(key ? { 'idempotency-key': key } : {}) },
      body: JSON.stringify(body),
    });
    expect(response.status, `${method} ${path}: ${await response.text()}`).toBeLessThan(300);
  }
}, 60_000);

afterAll(async () => {
  client?.close();
  killStarted();
  await sql?.end();
  await nats?.close();
  await db?.drop();
});

describe('the API keeps its word under fuzzing', () => {
  it('the commands the cases start from are accepted as they are', async () => {
    // Checked on a pool of its own, so the fuzzed pool keeps nothing they would write.
    const other = `${POOL}-x`;
    const steps = configuredPool(other, 'x').concat([
      [
        'POST',
        `/pools/${other}/address-sets`,
        { addressSetId: 'office', name: 'office', cidrs: ['192.0.2.0/24'] },
      ],
    ]);
    for (const [method, path, body] of steps) {
      await fetch(`${base}${path}`, {
        method,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    }
    for (const { type, data } of VALID) {
      const reply = (
        await nats.nc.request(nats.commandSubject(other, type), JSON.stringify({ data }), {
          timeout: DEADLINE_MS,
        })
      ).json<CommandReply>();
      expect(reply, `${type} ${JSON.stringify(data)}`).toMatchObject({ ok: true });
    }
  });

  it(`refuses ${RUNS} generated requests on REST, NATS and gRPC, in time, writing nothing`, async () => {
    const codes = new Map<string, number>();
    const started = performance.now();
    const before = await head();
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fc.noShrink(onTransport), async ({ c, transport }) => {
        const sentAt = performance.now();
        let answer: Answer;
        try {
          answer = await SEND[transport](c);
        } catch (error) {
          throw new Error(
            `${transport} ${c.what}: ${(error as Error).name} ${(error as Error).message}`,
          );
        }
        const took = performance.now() - sentAt;
        const broken =
          brokenPromise(c, transport, answer) ??
          (took > DEADLINE_MS ? `answered after ${Math.round(took)} ms` : undefined) ??
          ((await head()) !== before
            ? `the log moved: ${await head()} after ${before}`
            : undefined) ??
          (++n % HEALTH_EVERY === 0 ? await healthy() : undefined);
        if (broken) throw new Error(`${transport} ${c.what}: ${broken}`);
        const label = `${transport} ${answer.refused ? answer.code : '?'}`;
        codes.set(label, (codes.get(label) ?? 0) + 1);
      }),
      { numRuns: RUNS },
    );
    expect(await healthy()).toBeUndefined();
    expect(await head()).toBe(before);
    console.log(
      `fuzz word: ${RUNS} cases in ${((performance.now() - started) / 1000).toFixed(1)} s; ` +
        [...codes.entries()]
          .sort((a, b) => b[1] - a[1])
          .map(([k, v]) => `${k} ${v}`)
          .join(', '),
    );
  }, 600_000);
});
