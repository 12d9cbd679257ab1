import { randomUUID } from 'node:crypto';
import { type Msg } from '@nats-io/transport-node';
import { type CommandReply } from '@pool/contracts';
import { parseStrictJson } from '../api/http/strict-json.js';
import { type CommandError } from '../commands/command-errors.js';

/** A request body refused while decoding, so the handler answers with its typed error. */
export class RefusedBody {
  constructor(readonly error: CommandError) {}
}

/**
 * Nest's NATS transport expects its own `{ pattern, data, id }` packets; a user's program
 * sends plain JSON. Every message with a reply subject is a request.
 */
export class PlainJsonDeserializer {
  deserialize(msg: Msg, options?: { channel?: string }) {
    let data: unknown;
    try {
      // As REST reads JSON: bad UTF-8 and repeated keys refused, not stored as U+FFFD or
      // the last value (msg.json() would decode leniently).
      data = msg.data.length === 0 ? undefined : parseStrictJson(msg.data);
    } catch (error) {
      data = new RefusedBody(error as CommandError);
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
