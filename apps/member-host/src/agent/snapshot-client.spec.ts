import { gzipSync } from 'node:zlib';
import { headers, type Msg, type NatsConnection } from '@nats-io/transport-node';
import { describe, expect, it } from 'vitest';
import { POOL_STATE_VERSION, replayPool, serializePoolState } from '@pool/domain';
import { NatsSnapshotSource } from './snapshot-client.js';
import { poolEvents } from './testing/fake-feed.js';

/** A connection whose `requestMany` answers with the given messages. */
const answering = (messages: Partial<Msg>[]) =>
  ({
    requestMany: () =>
      Promise.resolve(
        (async function* () {
          for (const m of messages) yield await Promise.resolve(m as Msg);
        })(),
      ),
  }) as unknown as NatsConnection;

function chunks(body: unknown, size: number): Partial<Msg>[] {
  const gz = gzipSync(JSON.stringify(body));
  const count = Math.ceil(gz.length / size);
  return Array.from({ length: count }, (_, i) => {
    const h = headers();
    h.set('Poolnet-Chunk', `${i + 1}/${count}`);
    return { data: gz.subarray(i * size, (i + 1) * size), headers: h };
  });
}

const end: Partial<Msg> = { data: new Uint8Array(0) };

describe('NatsSnapshotSource', () => {
  const state = replayPool(poolEvents(20));
  const reply = {
    pool: 'p1',
    version: 7,
    stateVersion: POOL_STATE_VERSION,
    state: serializePoolState(state),
  };

  it('reassembles a chunked, gzipped snapshot', async () => {
    const parts = chunks(reply, 200);
    expect(parts.length).toBeGreaterThan(2);
    const got = await new NatsSnapshotSource(answering([...parts, end]), 's').fetch();
    expect(got.version).toBe(7);
    expect(serializePoolState(got.state)).toEqual(serializePoolState(state));
  });

  it('refuses an incomplete or out-of-order reply, and a refusal', async () => {
    const parts = chunks(reply, 200);
    await expect(
      new NatsSnapshotSource(answering([...parts.slice(0, -1), end]), 's').fetch(),
    ).rejects.toThrow(/incomplete/);
    await expect(
      new NatsSnapshotSource(answering([parts[1]!, parts[0]!, end]), 's').fetch(),
    ).rejects.toThrow(/out of order/);
    const h = headers();
    h.set('Poolnet-Error', 'SNAPSHOT_UNAVAILABLE');
    const refusal = {
      data: new TextEncoder().encode('{"code":"SNAPSHOT_UNAVAILABLE"}'),
      headers: h,
      string: () => 'no',
    };
    await expect(new NatsSnapshotSource(answering([refusal, end]), 's').fetch()).rejects.toThrow(
      /refused/,
    );
  });

  it('refuses a snapshot of another state shape', async () => {
    const other = chunks({ ...reply, stateVersion: 'pool-state/0' }, 1 << 20);
    await expect(new NatsSnapshotSource(answering([...other, end]), 's').fetch()).rejects.toThrow(
      /pool-state\/0/,
    );
  });
});
