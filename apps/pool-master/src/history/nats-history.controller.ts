import { Controller, Inject, type Type } from '@nestjs/common';
import { Ctx, MessagePattern, NatsContext, Payload } from '@nestjs/microservices';
import { type WireError } from '@pool/contracts';
import { NatsClient } from '@pool/platform';
import { assertPoolId } from '../api/validate-command.js';
import { CommandError } from '../commands/command-errors.js';
import { toCommandError } from '../commands/domain-errors.js';
import { RefusedBody } from '../nats/plain-json.codec.js';
import { parseDiffQuery, parseStateQuery } from './history-query.js';
import { PoolHistory } from './pool-history.js';

export type HistoryReply = { ok: true; result: unknown } | { ok: false; error: WireError };

/** Room left in a message for NATS's own framing and headers. */
const REPLY_SLACK_BYTES = 4096;

/**
 * `<root>.<pool>.history.state` and `.history.diff`: the REST routes' reads over NATS. The
 * body is the REST query as a JSON object (`{"version": 120}`, `{"at": "2026-12-01T10:00Z"}`,
 * `{"from": 10, "to": 20}`; points as numbers or strings); no body means the head's state.
 */
export function natsHistoryController(root: string): Type<unknown> {
  @Controller()
  class NatsHistoryController {
    constructor(
      @Inject(PoolHistory) private readonly history: PoolHistory,
      @Inject(NatsClient) private readonly nats: NatsClient,
    ) {}

    @MessagePattern(`${root}.*.history.*`)
    async handle(@Payload() body: unknown, @Ctx() ctx: NatsContext): Promise<HistoryReply> {
      try {
        const [, pool = '', , read] = ctx.getSubject().split('.');
        assertPoolId(pool);
        const query = parseBody(body);
        let result: unknown;
        if (read === 'state') result = await this.history.stateAt(pool, parseStateQuery(query));
        else if (read === 'diff') {
          const { from, to } = parseDiffQuery(query);
          result = await this.history.diff(pool, from, to);
        } else {
          throw new CommandError(400, 'BAD_SUBJECT', `Unknown history read ${String(read)}.`);
        }
        return this.fitting({ ok: true, result });
      } catch (error) {
        return { ok: false, error: toCommandError(error).toWire() };
      }
    }

    /** A reply NATS cannot carry is refused with a code rather than lost. */
    private fitting(reply: HistoryReply): HistoryReply {
      const max = this.nats.connection.info?.max_payload ?? 1024 * 1024;
      const bytes = Buffer.byteLength(JSON.stringify(reply));
      if (bytes <= max - REPLY_SLACK_BYTES) return reply;
      return {
        ok: false,
        error: new CommandError(
          413,
          'REPLY_TOO_LARGE',
          `The answer is ${bytes} bytes, more than NATS carries (${max}); read it over REST or gRPC.`,
          { bytes, maxPayload: max },
        ).toWire(),
      };
    }
  }
  return NatsHistoryController;
}

function parseBody(body: unknown): Record<string, unknown> {
  if (body instanceof RefusedBody) throw body.error;
  if (body === undefined) return {};
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new CommandError(400, 'BODY_NOT_OBJECT', 'The request body must be a JSON object.');
  }
  return body as Record<string, unknown>;
}
