import type { Msg, NatsConnection } from '@nats-io/transport-node';
import { decodeSnapshot } from '@pool/contracts';
import { deserializePoolState, POOL_STATE_VERSION, type PoolState } from '@pool/domain';
import type { SnapshotSource } from './feed.js';

/** The client side of the master's snapshot subject (wire format in libs/contracts). */
export class NatsSnapshotSource implements SnapshotSource {
  constructor(
    private readonly nc: NatsConnection,
    private readonly subject: string,
    private readonly timeoutMs = 30_000,
  ) {}

  async fetch(): Promise<{ version: number; state: PoolState; logId?: string }> {
    const replies = await this.nc.requestMany(this.subject, '', {
      strategy: 'sentinel',
      maxWait: this.timeoutMs,
    });
    const messages: Msg[] = [];
    for await (const m of replies) {
      if (m.data.length === 0) break;
      messages.push(m);
    }
    const reply = decodeSnapshot(messages);
    if (reply.stateVersion !== POOL_STATE_VERSION) {
      throw new Error(
        `the master sends ${reply.stateVersion} snapshots, this host reads ${POOL_STATE_VERSION}`,
      );
    }
    const snapshot = { version: reply.version, state: deserializePoolState(reply.state) };
    return reply.logId ? { ...snapshot, logId: reply.logId } : snapshot;
  }
}
