import { randomUUID } from 'node:crypto';
import { type Msg } from '@nats-io/transport-node';
import { type CommandReply } from '@pool/contracts';

/** Marks a request body that was not JSON, so the handler can answer with a typed error. */
export const MALFORMED = Symbol('malformed JSON');

/**
 * Nest's NATS transport expects its own `{ pattern, data, id }` packets; a user's program
 * sends plain JSON. Every message with a reply subject is a request.
 */
export class PlainJsonDeserializer {
  deserialize(msg: Msg, options?: { channel?: string }) {
    let data: unknown;
    try {
      data = msg.data.length === 0 ? undefined : msg.json();
    } catch {
      data = MALFORMED;
    }
    return { pattern: options?.channel, data, id: msg.reply ? randomUUID() : undefined };
  }
}

/** Replies with the plain `CommandReply` JSON rather than Nest's packet envelope. */
export class PlainJsonSerializer {
  serialize(packet: { response?: unknown; err?: unknown }) {
    const body: CommandReply =
      packet.err !== undefined
        ? { ok: false, error: { status: 500, code: 'INTERNAL', message: 'The command failed.' } }
        : (packet.response as CommandReply);
    return { data: JSON.stringify(body) };
  }
}
