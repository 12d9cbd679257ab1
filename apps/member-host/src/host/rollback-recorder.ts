import type { NatsConnection } from '@nats-io/transport-node';
import type { CommandReply } from '@pool/contracts';
import type { NetworkHold } from '../agent/network-hold.js';
import { errorMessage, sleep } from '../agent/serial.js';

/**
 * Has the master record a rollback (RecordNetworkRollback → HostNetworkRolledBack), sent as the
 * host itself (role `host` under its own NATS user, as the libvirt hook's commands) until it
 * answers: the host has just come back from being cut off, so the first tries may find NATS
 * still reconnecting. The command id is derived from the hold, so a retry after a lost answer
 * records it once.
 */
export async function recordRollback(
  nc: NatsConnection,
  subject: string,
  host: string,
  hold: NetworkHold,
  log: { warn(message: string): void; log(message: string): void },
  signal: AbortSignal,
): Promise<boolean> {
  const body = JSON.stringify({
    commandId: `rollback:${host}:${hold.refusedVersion}:${hold.since}`,
    data: {
      hostId: host,
      refusedVersion: hold.refusedVersion,
      heldVersion: hold.version,
      reason: hold.reason.slice(0, 500),
    },
  });
  for (let attempt = 0; !signal.aborted; attempt++) {
    try {
      const reply = (await nc.request(subject, body, { timeout: 3_000 })).json<CommandReply>();
      if (reply.ok) {
        log.log(`the master recorded the rollback of version ${hold.refusedVersion}`);
        return true;
      }
      log.warn(`RecordNetworkRollback refused (${reply.error.code}): ${reply.error.message}`);
      if (reply.error.code !== 'NOT_LEADER') return false;
    } catch (error) {
      log.warn(`RecordNetworkRollback not answered: ${errorMessage(error)}`);
    }
    await sleep(Math.min(10_000, 250 * 2 ** attempt), signal);
  }
  return false;
}
