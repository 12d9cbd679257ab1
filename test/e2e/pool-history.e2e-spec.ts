/**
 * The pool at any version (issue 22) against the built master: a generated pool (the bench's
 * realistic mix, hundreds of commands over NATS), then its state at random versions and times
 * equals the fold of its own log up to there (REST, NATS and gRPC alike), loaded from a nearby
 * snapshot rather than the whole log; a diff equals the difference of two folds, each change
 * attributed to exactly the events between the versions that named the object; bad points are
 * 4xx with a code; poolctl's state, diff and filtered events read the same.
 */
import { randomUUID } from 'node:crypto';
import type * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DIFF_EVENTS_PER_OBJECT,
  type CommandReply,
  type EventEnvelope,
  type PoolDiff,
  type PoolExport,
  type PoolStateAt,
  type RevertPlan,
  subjects,
} from '@pool/contracts';
import {
  diffPoolStates,
  evolvePool,
  initialPoolState,
  objectKey,
  POOL_STATE_VERSION,
  serializePoolState,
  touchedObjects,
  upcastPoolEvent,
  type PoolSnapshot,
} from '@pool/domain';
import { random } from '../../bench/project-events.js';
import { createTestDatabase } from '../support/databases.js';
import { createTestNats } from '../support/nats.js';
import { startPoolMasterProcess } from '../support/pool-master-process.js';
import { freePort, killStarted } from '../support/processes.js';
import { generatedPoolCommands } from './support/generated-pool.js';
import { poolMasterGrpcClient } from './support/pool-master-grpc-client.js';
import { configOf } from './support/pool-config.js';
import { runBuiltPoolctl } from './support/poolctl-cli.js';

const POOL = `hist-${randomUUID().slice(0, 8)}`;
/** Small, so the generated log crosses many history snapshots. */
const HISTORY_EVERY = 40;
/** Commands go over NATS as an admin program would send them; the log records `nats:e2e`. */
const SENDER = { role: 'admin', user: 'e2e' };

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let nats: Awaited<ReturnType<typeof createTestNats>>;
let base: string;
let grpcAddress: string;
/** The master's log, read back over REST. */
let log: EventEnvelope[];
let head: number;

/** The fold of the log's first `version` events, in the snapshot format. */
function foldTo(version: number): PoolSnapshot {
  let state = initialPoolState();
  for (const event of log.slice(0, version)) state = evolvePool(state, upcastPoolEvent(event));
  return serializePoolState(state);
}

async function get<T>(path: string): Promise<{ status: number; body: T }> {
  const response = await fetch(`${base}${path}`);
  return { status: response.status, body: (await response.json()) as T };
}

const rand = random(7);
const versionsIn = (low: number, high: number, n: number) =>
  Array.from({ length: n }, () => low + Math.floor(rand() * (high - low + 1)));

beforeAll(async () => {
  db = await createTestDatabase();
  nats = await createTestNats();
  grpcAddress = `127.0.0.1:${await freePort()}`;
  ({ base } = await startPoolMasterProcess(db.url, nats, {
    GRPC_URL: grpcAddress,
    HISTORY_SNAPSHOT_EVERY: String(HISTORY_EVERY),
  }));
  const commands = generatedPoolCommands(POOL, { hosts: 4, vms: 12, events: 600, seed: 22 });
  await send(POOL, commands);
  log = [];
  for (let after = 0; ;) {
    const { body } = await get<{ events: EventEnvelope[]; next: number }>(
      `/pools/${POOL}/events?after=${after}&limit=1000`,
    );
    log.push(...body.events);
    if (body.events.length < 1000) break;
    after = body.next;
  }
  head = log.length;
  expect(head).toBeGreaterThanOrEqual(600);
  expect(log.at(-1)!.version).toBe(head);
}, 240_000);

afterAll(async () => {
  killStarted();
  await nats?.close();
  await db?.drop();
});

describe('the pool at a version', () => {
  it('equals the fold of the log up to it, for random versions, from a nearby snapshot', async () => {
    const versions = [0, 1, head, ...versionsIn(2, head - 1, 12)];
    for (const pass of ['first', 'again']) {
      for (const version of versions) {
        const { status, body } = await get<PoolStateAt>(`/pools/${POOL}/state?version=${version}`);
        expect(status, `${pass} ${version}`).toBe(200);
        expect(body).toMatchObject({ pool: POOL, version, head, stateVersion: POOL_STATE_VERSION });
        expect(body.state, `state at ${version}`).toEqual(foldTo(version));
        expect(body.recordedAt).toBe(version === 0 ? null : log[version - 1]!.createdAt);
        const { snapshotVersion, eventsFolded } = body.loadedFrom;
        expect(snapshotVersion + eventsFolded).toBe(version);
        // The first read of the head folded the log once and left a snapshot every 40
        // versions: from then on no version is further than that from where it starts.
        if (pass === 'again') expect(eventsFolded, `${version}`).toBeLessThan(HISTORY_EVERY);
      }
    }
  });

  it('at a time: the last version recorded at or before it; before the pool: version 0', async () => {
    for (const version of versionsIn(1, head, 5)) {
      const at = log[version - 1]!.createdAt;
      const { body } = await get<PoolStateAt>(`/pools/${POOL}/state?at=${encodeURIComponent(at)}`);
      // Events of one transaction share their time: the answer is the last of them.
      const last = log.findLastIndex((e) => Date.parse(e.createdAt) <= Date.parse(at)) + 1;
      expect(body.version).toBe(last);
      expect(body.version).toBeGreaterThanOrEqual(version);
      expect(body.state).toEqual(foldTo(last));
    }
    const { body } = await get<PoolStateAt>(`/pools/${POOL}/state?at=2000-01-01T00:00Z`);
    expect(body).toMatchObject({ version: 0, recordedAt: null, state: { status: 'Empty' } });
  });
});

describe('the diff between two versions', () => {
  it('equals the difference of two folds, each change with the events that named it', async () => {
    const pairs = [
      [0, head],
      [head, 0],
      ...Array.from({ length: 6 }, () => versionsIn(0, head, 2) as [number, number]),
    ];
    for (const [from, to] of pairs as [number, number][]) {
      const { status, body } = await get<PoolDiff>(`/pools/${POOL}/diff?from=${from}&to=${to}`);
      expect(status).toBe(200);
      expect(body).toMatchObject({ pool: POOL, from, to });
      const before = foldTo(from);
      const after = foldTo(to);
      expect(body.objects.map(({ events: _, eventCount: __, ...change }) => change)).toEqual(
        diffPoolStates(before, after),
      );
      // Independently of the diff function: an object is listed iff its JSON differs, and
      // added / removed say which side lacks it.
      const ids = (s: PoolSnapshot, kind: keyof PoolSnapshot) =>
        new Map((s[kind] as { id: string }[]).map((o) => [o.id, JSON.stringify(o)]));
      for (const kind of ['vms', 'vifs', 'networks', 'aclRules', 'mirrors'] as const) {
        const a = ids(before, kind);
        const b = ids(after, kind);
        const listed = new Map(body.objects.filter((o) => o.kind === kind).map((o) => [o.id, o]));
        for (const id of new Set([...a.keys(), ...b.keys()])) {
          const expected = !a.has(id)
            ? 'added'
            : !b.has(id)
              ? 'removed'
              : a.get(id) !== b.get(id)
                ? 'changed'
                : undefined;
          expect(listed.get(id)?.change, `${kind}/${id} ${from}→${to}`).toBe(expected);
        }
      }
      const [low, high] = from <= to ? [from, to] : [to, from];
      const between = log.slice(low, high);
      for (const object of body.objects) {
        const key = objectKey(object.kind as never, object.id);
        const naming = between.filter((e) => touchedObjects(e, POOL).includes(key));
        expect(object.eventCount, key).toBe(naming.length);
        expect(object.events).toEqual(
          naming.slice(-DIFF_EVENTS_PER_OBJECT).map((e) => ({
            version: e.version,
            type: e.type,
            actor: e.metadata.actor,
            recordedAt: e.createdAt,
          })),
        );
        // Something between the versions made every change.
        expect(object.eventCount, key).toBeGreaterThan(0);
      }
    }
  });
});

describe('over NATS and gRPC', () => {
  it('answers as REST does', async () => {
    const [version, from] = versionsIn(1, head, 2) as [number, number];
    const rest = (await get<PoolStateAt>(`/pools/${POOL}/state?version=${version}`)).body;
    const restDiff = (await get<PoolDiff>(`/pools/${POOL}/diff?from=${from}&to=${version}`)).body;

    const ask = async (read: string, body: object) => {
      const msg = await nats.nc.request(
        `${nats.root}.${POOL}.history.${read}`,
        JSON.stringify(body),
        {
          timeout: 10_000,
        },
      );
      return msg.json<{ ok: boolean; result?: unknown; error?: { code: string } }>();
    };
    expect(await ask('state', { version })).toEqual({ ok: true, result: rest });
    expect(await ask('diff', { from, to: String(version) })).toEqual({
      ok: true,
      result: restDiff,
    });
    expect(await ask('state', { version: head + 1 })).toMatchObject({
      ok: false,
      error: { code: 'VERSION_BEYOND_HEAD' },
    });

    const { client, errorReply } = poolMasterGrpcClient(grpcAddress);
    type Call = (
      r: object,
      cb: (e: grpc.ServiceError | null, r: { resultJson: string }) => void,
    ) => void;
    const calls = client as unknown as { StateAt: Call; Diff: Call };
    const call = (method: Call, request: object) =>
      new Promise<{ resultJson: string }>((resolve, reject) =>
        method.call(client, request, (error, reply) => (error ? reject(error) : resolve(reply))),
      );
    try {
      const state = await call(calls.StateAt, { pool: POOL, point: String(version) });
      expect(JSON.parse(state.resultJson)).toEqual(rest);
      const diff = await call(calls.Diff, { pool: POOL, from: String(from), to: String(version) });
      expect(JSON.parse(diff.resultJson)).toEqual(restDiff);
      const refused = await call(calls.StateAt, { pool: POOL, point: 'yesterday' }).then(
        () => expect.fail('accepted'),
        (error: grpc.ServiceError) => error,
      );
      expect(refused.code).toBe(3); // INVALID_ARGUMENT
      expect(refused.metadata.get('poolnet-code')[0]).toBe('BAD_HISTORY_POINT');
      expect(errorReply(refused).error.code).toBe('BAD_HISTORY_POINT');
    } finally {
      client.close();
    }
  });
});

describe('bad points', () => {
  it.each([
    [`state?version=999999`, 400, 'VERSION_BEYOND_HEAD'],
    [`state?version=-1`, 400, 'BAD_HISTORY_POINT'],
    [`state?at=yesterday`, 400, 'BAD_HISTORY_POINT'],
    [`state?at=2026-13-45T10:00Z`, 400, 'BAD_HISTORY_POINT'],
    [`state?at=2999-01-01T00:00Z`, 400, 'TIME_IN_FUTURE'],
    [`state?version=1&at=2026-01-01`, 400, 'BAD_HISTORY_POINT'],
    [`state?when=1`, 400, 'UNKNOWN_QUERY_PARAMETER'],
    [`diff?to=3`, 400, 'BAD_HISTORY_POINT'],
    [`diff?from=1&to=999999`, 400, 'VERSION_BEYOND_HEAD'],
  ])('%s → %i %s', async (query, status, code) => {
    const answer = await get<{ code: string; message: string }>(`/pools/${POOL}/${query}`);
    expect(answer.status).toBe(status);
    expect(answer.body.code).toBe(code);
    expect(answer.body.message).toEqual(expect.any(String));
  });

  it('a pool without events is 404 POOL_NOT_FOUND', async () => {
    const answer = await get<{ code: string }>(`/pools/nothing-here/state?version=0`);
    expect(answer).toMatchObject({ status: 404, body: { code: 'POOL_NOT_FOUND' } });
  });
});

describe('OpenAPI', () => {
  it('documents state and diff with their models and refusals', async () => {
    const { body: doc } = await get<{
      paths: Record<string, { get: { parameters: { name: string }[]; responses: object } }>;
      components: { schemas: Record<string, unknown> };
    }>('/docs-json');
    for (const [path, params] of [
      ['/pools/{pool}/state', ['pool', 'version', 'at']],
      ['/pools/{pool}/diff', ['pool', 'from', 'to']],
    ] as const) {
      const get = doc.paths[path]!.get;
      expect(get.parameters.map((p) => p.name).sort()).toEqual([...params].sort());
      expect(Object.keys(get.responses)).toEqual(expect.arrayContaining(['200', '400', '404']));
    }
    expect(Object.keys(doc.components.schemas)).toEqual(
      expect.arrayContaining(['PoolStateAtModel', 'PoolDiffModel', 'DiffObjectChangeModel']),
    );
  });
});

describe('poolctl', () => {
  const poolctl = (...args: string[]) =>
    runBuiltPoolctl(args, { POOLNET_MASTER: base, POOLNET_POOL: POOL });

  it('state --at, diff and events --actor/--object read what the master answers', async () => {
    const [version, from] = versionsIn(1, head, 2) as [number, number];
    const state = await poolctl('state', '--at', String(version), '-o', 'json');
    expect(state.code, state.stderr).toBe(0);
    expect((JSON.parse(state.stdout) as PoolStateAt).state).toEqual(foldTo(version));
    const at = await poolctl('state', '--at', log[version - 1]!.createdAt);
    expect(at.stdout).toMatch(new RegExp(`^pool ${POOL} at version \\d+ of ${head}`));
    expect(at.stdout).toMatch(/^vms \(\d+\): /m);

    const diff = await poolctl('diff', '0', String(version));
    expect(diff.code, diff.stderr).toBe(0);
    expect(diff.stdout).toContain(`pool ${POOL}: version 0 → ${version}`);
    expect(diff.stdout).toMatch(/^\+ hosts\/h0$/m);
    const json = JSON.parse(
      (await poolctl('diff', String(from), String(version), '-o', 'json')).stdout,
    ) as PoolDiff;
    expect(json.objects.map(({ events: _, eventCount: __, ...c }) => c)).toEqual(
      diffPoolStates(foldTo(from), foldTo(version)),
    );

    const events = await poolctl(
      'events',
      '--actor',
      'nats:e2e',
      '--object',
      'vms/vm1',
      '-o',
      'json',
    );
    expect(events.code, events.stderr).toBe(0);
    const listed = (JSON.parse(events.stdout) as EventEnvelope[]).map((e) => e.version);
    const expected = log
      .filter((e) => touchedObjects(e, POOL).includes('vms/vm1'))
      .map((e) => e.version);
    expect(expected.length).toBeGreaterThan(2);
    expect(listed).toEqual(expected);
    const byId = await poolctl('events', '--object', 'vlan100', '-o', 'json');
    expect((JSON.parse(byId.stdout) as EventEnvelope[]).map((e) => e.version)).toEqual(
      log.filter((e) => touchedObjects(e, POOL).includes('networks/vlan100')).map((e) => e.version),
    );
    const nobody = await poolctl('events', '--actor', 'nobody', '-o', 'json');
    expect(JSON.parse(nobody.stdout)).toEqual([]);

    const beyond = await poolctl('state', '--at', String(head + 5));
    expect(beyond.code).not.toBe(0);
    expect(beyond.stderr).toContain('VERSION_BEYOND_HEAD');
  });
});

async function send(pool: string, commands: { type: string; data: unknown }[]) {
  for (const { type, data } of commands) {
    const msg = await nats.nc.request(
      subjects(nats.root).command(pool, type, SENDER),
      JSON.stringify({ data }),
      {
        timeout: 10_000,
      },
    );
    const reply = msg.json<CommandReply>();
    if (!reply.ok)
      throw new Error(`${type} ${JSON.stringify(data)} refused: ${JSON.stringify(reply.error)}`);
  }
}

// Last: the revert changes the pool the other tests read.
describe('export, and the dry run of a revert applied', () => {
  it('export then import into a new pool gives the same configuration', async () => {
    const version = versionsIn(Math.floor(head / 2), head, 1)[0]!;
    const { body } = await get<PoolExport>(`/pools/${POOL}/export?version=${version}`);
    expect(body.version).toBe(version);
    expect(body.commands[0]).toMatchObject({ type: 'CreatePool', data: { poolId: POOL } });
    const original = foldTo(version);
    expect(body.notExported.map((n) => n.id).sort()).toEqual(
      [
        ...original.vms.filter((vm) => vm.powerState === 'running').map((vm) => vm.id),
        ...original.migrations.map((m) => m.id),
      ].sort(),
    );
    const copy = `${POOL}-copy`;
    const [create, ...rest] = body.commands;
    await send(copy, [
      { type: 'CreatePool', data: { ...(create!.data as object), poolId: copy } },
      ...rest,
    ]);
    const imported = (await get<PoolStateAt>(`/pools/${copy}/state`)).body.state as PoolSnapshot;
    expect(configOf(imported)).toEqual(configOf(original));
    const lines = await runBuiltPoolctl(['export', '--at', String(version)], {
      POOLNET_MASTER: base,
      POOLNET_POOL: POOL,
    });
    expect(
      lines.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as unknown),
    ).toEqual(body.commands);
  });

  it("a revert's commands bring the pool back to N, but for what they list as not reverted", async () => {
    const to = versionsIn(Math.floor(head / 3), Math.floor((2 * head) / 3), 1)[0]!;
    const dry = await runBuiltPoolctl(['revert', '--to', String(to)], {
      POOLNET_MASTER: base,
      POOLNET_POOL: POOL,
    });
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain(`back from version ${head} to ${to} (dry run, nothing applied)`);
    const { body: plan } = await get<RevertPlan>(`/pools/${POOL}/revert?to=${to}`);
    expect(plan).toMatchObject({ pool: POOL, from: head, to });
    expect(plan.commands.length).toBeGreaterThan(10);
    // The dry run changed nothing.
    expect((await get<PoolStateAt>(`/pools/${POOL}/state`)).body.version).toBe(head);
    for (const refused of plan.notReverted) expect(refused.reason).toEqual(expect.any(String));

    await send(POOL, plan.commands);
    const after = (await get<PoolStateAt>(`/pools/${POOL}/state`)).body.state as PoolSnapshot;
    const left = diffPoolStates(configOf(foldTo(to)), configOf(after)).map(
      (c) => `${c.kind}/${c.id}`,
    );
    const listed = new Set(plan.notReverted.map((n) => `${n.kind}/${n.id}`));
    expect(left.filter((key) => !listed.has(key))).toEqual([]);
    expect(plan.notReverted.every((n) => left.includes(`${n.kind}/${n.id}`))).toBe(true);
  });
});
