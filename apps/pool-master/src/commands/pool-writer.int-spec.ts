import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestEventStore } from '../../../../test/support/event-store.js';
import { NotLeaderError } from './command-errors.js';
import { poolDomainModel } from './pool-domain-model.js';
import { PoolWriter } from './pool-writer.js';

let env: Awaited<ReturnType<typeof createTestEventStore>>;
beforeAll(async () => {
  env = await createTestEventStore();
});
afterAll(() => env.close());

const command = (type: string, data: object) => ({
  commandId: randomUUID(),
  command: { type, data, metadata: { now: new Date().toISOString() } } as never,
  metadata: {},
});

describe('PoolWriter', () => {
  it('group-commits concurrent commands, one version each, in submission order', async () => {
    const pool = `p-${randomUUID().slice(0, 8)}`;
    const writer = await PoolWriter.load(pool, env.store, poolDomainModel);
    await writer.submit(command('CreatePool', { poolId: pool, name: 'Pool' }));
    const outcomes = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        writer.submit(command('CreateVm', { vmId: `vm-${i}`, name: `vm ${i}` })),
      ),
    );
    expect(outcomes.map((o) => o.version)).toEqual(Array.from({ length: 50 }, (_, i) => i + 2));
    expect(await env.store.streamVersion(`pool:${pool}`)).toBe(51);
  });

  it('refuses a command the decider refuses without writing, and keeps going', async () => {
    const pool = `p-${randomUUID().slice(0, 8)}`;
    const writer = await PoolWriter.load(pool, env.store, poolDomainModel);
    await writer.submit(command('CreatePool', { poolId: pool, name: 'Pool' }));
    const [bad, good] = await Promise.allSettled([
      writer.submit(command('CreateVm', { vmId: 'x', name: '' })),
      writer.submit(command('CreateVm', { vmId: 'y', name: 'fine' })),
    ]);
    expect(bad).toMatchObject({ status: 'rejected', reason: { status: 400 } });
    expect(good).toMatchObject({ status: 'fulfilled', value: { version: 2 } });
  });

  it('answers a retry that lands in the same group commit as its first attempt with its outcome', async () => {
    const pool = `p-${randomUUID().slice(0, 8)}`;
    const writer = await PoolWriter.load(pool, env.store, poolDomainModel);
    await writer.submit(command('CreatePool', { poolId: pool, name: 'Pool' }));
    const vm = command('CreateVm', { vmId: 'twice', name: 'twice' });
    const [first, retry] = await Promise.all([
      writer.submit(vm),
      writer.submit({ ...vm, mayRepeat: true }),
    ]);
    expect(first).toMatchObject({ version: 2, duplicate: false });
    expect(retry).toMatchObject({ version: 2, firstVersion: 2, duplicate: true });
    expect(retry.events).toEqual(first.events);
    expect(await env.store.streamVersion(`pool:${pool}`)).toBe(2);
    // A refusal is not recorded: the retry is decided again, and refused again.
    const bad = command('CreateVm', { vmId: 'twice', name: 'again' });
    const settled = await Promise.allSettled([writer.submit(bad), writer.submit(bad)]);
    expect(settled).toMatchObject([
      { status: 'rejected', reason: { status: 409 } },
      { status: 'rejected', reason: { status: 409 } },
    ]);
    expect(await env.store.streamVersion(`pool:${pool}`)).toBe(2);
  });

  it('a deposed leader fails on the expected version and steps down', async () => {
    const pool = `p-${randomUUID().slice(0, 8)}`;
    const old = await PoolWriter.load(pool, env.store, poolDomainModel);
    await old.submit(command('CreatePool', { poolId: pool, name: 'Pool' }));
    const successor = await PoolWriter.load(pool, env.store, poolDomainModel);
    await successor.submit(command('CreateVm', { vmId: 'a', name: 'a' }));
    await expect(old.submit(command('CreateVm', { vmId: 'b', name: 'b' }))).rejects.toBeInstanceOf(
      NotLeaderError,
    );
    expect(old.isDeposed).toBe(true);
    await expect(old.submit(command('CreateVm', { vmId: 'c', name: 'c' }))).rejects.toBeInstanceOf(
      NotLeaderError,
    );
    expect(await env.store.streamVersion(`pool:${pool}`)).toBe(2);
  });

  it('a refusal that rested on events a deposed leader could not write is retried elsewhere', async () => {
    const pool = `p-${randomUUID().slice(0, 8)}`;
    // The real store, with the old leader's appends held where the test says.
    let appends = 0; // counts the old leader's appends
    const holds = new Map<number, () => Promise<void>>();
    const store = Object.create(env.store) as typeof env.store;
    store.appendRequest = async (request) => {
      await holds.get(++appends)?.();
      return env.store.appendRequest(request);
    };
    const old = await PoolWriter.load(pool, store, poolDomainModel);
    await old.submit(command('CreatePool', { poolId: pool, name: 'Pool' }));
    let releaseX!: () => void;
    let xAppending!: () => void;
    const xHeld = new Promise<void>((resolve) => (releaseX = resolve));
    const xSent = new Promise<void>((resolve) => (xAppending = resolve));
    holds.set(2, () => {
      xAppending();
      return xHeld;
    });
    let successorVersion = 0;
    // Before the old leader writes that batch, a successor takes over and appends.
    holds.set(3, async () => {
      const successor = await PoolWriter.load(pool, env.store, poolDomainModel);
      const outcome = await successor.submit(command('CreateVm', { vmId: 'a', name: 'a' }));
      successorVersion = outcome.version;
    });
    const x = old.submit(command('CreateVm', { vmId: 'x', name: 'x' }));
    await xSent;
    // Queued behind x, so decided as one batch: the first creates vm b in the old leader's
    // memory and the second is refused as a duplicate of it; but the batch is never written.
    const both = Promise.allSettled([
      old.submit(command('CreateVm', { vmId: 'b', name: 'b' })),
      old.submit(command('CreateVm', { vmId: 'b', name: 'b again' })),
    ]);
    releaseX();
    await expect(x).resolves.toMatchObject({ version: 2 });
    const [first, second] = await both;
    expect(successorVersion).toBe(3);
    expect(first).toMatchObject({ status: 'rejected', reason: expect.any(NotLeaderError) });
    expect(second).toMatchObject({ status: 'rejected', reason: expect.any(NotLeaderError) });
  });

  it('loads from a snapshot plus the tail to the same state as a full replay', async () => {
    const pool = `p-${randomUUID().slice(0, 8)}`;
    const writer = await PoolWriter.load(pool, env.store, poolDomainModel, {
      snapshotEvery: 10,
      snapshotMinIntervalMs: 0,
    });
    await writer.submit(command('CreatePool', { poolId: pool, name: 'Pool' }));
    for (let i = 0; i < 25; i++)
      await writer.submit(command('CreateVm', { vmId: `vm-${i}`, name: `vm ${i}` }));
    await new Promise((r) => setTimeout(r, 100)); // the snapshot is written in the background
    const { rows } = await env.pool.query(
      'SELECT stream_version FROM es_snapshots WHERE stream_id = $1',
      [`pool:${pool}`],
    );
    expect(Number(rows[0].stream_version)).toBeGreaterThanOrEqual(20);
    const reloaded = await PoolWriter.load(pool, env.store, poolDomainModel);
    expect(reloaded.currentVersion).toBe(26);
    expect(poolDomainModel.serialize(reloaded.currentState)).toEqual(
      poolDomainModel.serialize(writer.currentState),
    );
  });
  it('decides the parts of one request in order, on what the ones before left, or none', async () => {
    const pool = `p-${randomUUID().slice(0, 8)}`;
    const writer = await PoolWriter.load(pool, env.store, poolDomainModel);
    await writer.submit(command('CreatePool', { poolId: pool, name: 'Pool' }));
    const parts = (...list: [string, object][]) => {
      const [first, ...more] = list.map(([type, data]) => command(type, data).command);
      return { ...command('-', {}), command: first!, more };
    };
    const before = poolDomainModel.serialize(writer.currentState);
    // The second part names the VM the first creates; the third is refused (its id is taken).
    const refused = writer.submit(
      parts(
        ['CreateVm', { vmId: 'a', name: 'a' }],
        ['RenameVm', { vmId: 'a', name: 'b' }],
        ['CreateVm', { vmId: 'a', name: 'c' }],
      ),
    );
    await expect(refused).rejects.toMatchObject({
      status: 409,
      details: { index: 2, commandType: 'CreateVm' },
      message: expect.stringMatching(
        /^Command 2 \(CreateVm\) of 3 was refused, so none was applied/,
      ),
    });
    expect(poolDomainModel.serialize(writer.currentState)).toEqual(before);
    expect(await env.store.streamVersion(`pool:${pool}`)).toBe(1);

    const outcome = await writer.submit(
      parts(['CreateVm', { vmId: 'a', name: 'a' }], ['RenameVm', { vmId: 'a', name: 'b' }]),
    );
    expect(outcome).toMatchObject({ firstVersion: 2, version: 3 });
    const events = await env.store.readStream(`pool:${pool}`, 2, 2);
    expect(events.map((e) => [e.type, e.metadata.part, e.metadata.commandId])).toEqual([
      ['VmCreated', 0, outcome.commandId],
      ['VmRenamed', 1, outcome.commandId],
    ]);
  });
});
