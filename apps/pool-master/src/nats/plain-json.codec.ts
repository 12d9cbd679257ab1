import { randomUUID } from 'node:crypto';
import { type Msg } from '@nats-io/transport-node';
import { type CommandReply } from '@pool/contracts';
import { parseStrictJson } from '../api/http/strict-json.js';
import { boundWireError } from '../commands/bounded-error.js';
import { type CommandError } from '../commands/command-errors.js';

/** A refusal's JSON at most, far under NATS's max_payload (1 MiB unless configured lower). */
const REPLY_ERROR_BYTES = 16 * 1024;

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
    const reply = packet.response as CommandReply;
    const body: CommandReply =
      packet.err !== undefined
        ? { ok: false, error: { status: 500, code: 'INTERNAL', message: 'The command failed.' } }
        : reply.ok
          ? reply
          : { ok: false, error: boundWireError(reply.error, REPLY_ERROR_BYTES) };
    return { data: JSON.stringify(body) };
  }
}
