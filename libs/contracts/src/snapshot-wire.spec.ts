import { describe, expect, it } from 'vitest';
import {
  decodeSnapshot,
  encodeRefusal,
  encodeSnapshot,
  type PoolSnapshotReply,
} from './snapshot-wire.js';

const reply: PoolSnapshotReply = {
  pool: 'p1',
  version: 42,
  stateVersion: 'pool-state/1',
  // Random text does not compress, so this needs several chunks of the small payload below.
  state: { blob: Array.from({ length: 4000 }, () => Math.random().toString(36)).join('') },
};

describe('snapshot wire format', () => {
  it('round-trips a snapshot cut into chunks', () => {
    const messages = encodeSnapshot(reply, 8192).map((m) => ({
      data: m.payload,
      headers: m.headers,
    }));
    expect(messages.length).toBeGreaterThan(2);
    expect(decodeSnapshot(messages)).toEqual(reply);
  });

  it('refuses chunks out of order or missing', () => {
    const messages = encodeSnapshot(reply, 8192).map((m) => ({
      data: m.payload,
      headers: m.headers,
    }));
    expect(() => decodeSnapshot([messages[1]!, messages[0]!, ...messages.slice(2)])).toThrow(
      /chunk 2 out of order/,
    );
    expect(() => decodeSnapshot(messages.slice(0, -1))).toThrow(/incomplete snapshot/);
    expect(() => decodeSnapshot([])).toThrow(/incomplete snapshot: 0/);
  });

  it('surfaces a refusal with its message', () => {
    const refusal = encodeRefusal('POOL_NOT_FOUND', 'Pool p9 does not exist.');
    expect(() => decodeSnapshot([{ data: refusal.payload, headers: refusal.headers }])).toThrow(
      /refused a snapshot: .*POOL_NOT_FOUND/,
    );
  });
});
