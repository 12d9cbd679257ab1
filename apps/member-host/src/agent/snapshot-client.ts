import type { NatsConnection } from '@nats-io/transport-node';
import { deserializePoolState, POOL_STATE_VERSION, type PoolState } from '@pool/domain';
import { gunzipSync } from 'node:zlib';
import type { SnapshotSource } from './feed.js';

/*
 * The client side of the master's snapshot subject (apps/pool-master/src/snapshots): gzipped
 * JSON `{ pool, version, stateVersion, state }` in numbered chunks, then an empty message.
 */
const ERROR_HEADER = 'Poolnet-Error';
const CHUNK_HEADER = 'Poolnet-Chunk';

export class NatsSnapshotSource implements SnapshotSource {
  constructor(
    private readonly nc: NatsConnection,
    private readonly subject: string,
    private readonly timeoutMs = 30_000,
  ) {}

  async fetch(): Promise<{ version: number; state: PoolState }> {
    const replies = await this.nc.requestMany(this.subject, '', {
      strategy: 'sentinel',
      maxWait: this.timeoutMs,
    });
    const chunks: Uint8Array[] = [];
    let expected = 0;
    for await (const m of replies) {
      if (m.data.length === 0) break;
      const refusal = m.headers?.get(ERROR_HEADER);
      if (refusal) throw new Error(`the master refused a snapshot: ${m.string()}`);
      const [index, count] = (m.headers?.get(CHUNK_HEADER) ?? '1/1').split('/').map(Number);
      if (index !== chunks.length + 1) throw new Error(`snapshot chunk ${index} out of order`);
      expected = count ?? 1;
      chunks.push(m.data);
    }
    if (chunks.length === 0 || chunks.length !== expected) {
      throw new Error(`incomplete snapshot: ${chunks.length} of ${expected || '?'} chunks`);
    }
    const reply = JSON.parse(gunzipSync(Buffer.concat(chunks)).toString('utf8')) as {
      version: number;
      stateVersion: string;
      state: unknown;
    };
    if (reply.stateVersion !== POOL_STATE_VERSION) {
      throw new Error(
        `the master sends ${reply.stateVersion} snapshots, this host reads ${POOL_STATE_VERSION}`,
      );
    }
    return { version: reply.version, state: deserializePoolState(reply.state) };
  }
}
