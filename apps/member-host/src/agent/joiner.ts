import type { NatsConnection } from '@nats-io/transport-node';
import type { CommandReply } from '@pool/contracts';
import type { PifInventory } from '@pool/domain';
import { randomUUID } from 'node:crypto';
import { errorMessage, sleep } from './serial.js';

export interface JoinRequest {
  hostId: string;
  name: string;
  address: string;
  pifs: PifInventory[];
  managementDevice: string;
}

/**
 * Sends JoinHost until the host is a member: the pool may not exist yet, or the master may be
 * away. A host that is already a member (HOST_EXISTS, or seen in the replica) is done.
 */
export class Joiner {
  constructor(
    private readonly nc: NatsConnection,
    private readonly subject: string,
    private readonly request: JoinRequest,
    private readonly warn: (message: string) => void,
  ) {}

  async join(isMember: () => boolean, signal: AbortSignal): Promise<void> {
    for (let attempt = 0; !signal.aborted && !isMember(); attempt++) {
      try {
        const body = JSON.stringify({ data: this.request, commandId: randomUUID() });
        const reply = (
          await this.nc.request(this.subject, body, { timeout: 10_000 })
        ).json<CommandReply>();
        if (reply.ok || reply.error.code === 'HOST_EXISTS') return;
        this.warn(`JoinHost refused (${reply.error.code}): ${reply.error.message}`);
      } catch (error) {
        this.warn(`JoinHost not answered: ${errorMessage(error)}`);
      }
      await sleep(Math.min(10_000, 500 * 2 ** attempt), signal);
    }
  }
}
