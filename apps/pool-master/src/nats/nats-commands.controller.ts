import { Controller, Inject, type Type } from '@nestjs/common';
import { Ctx, MessagePattern, NatsContext, Payload } from '@nestjs/microservices';
import {
  isBatchType,
  parseCommandSubject,
  subjects,
  type CommandEnvelope,
  type CommandReply,
} from '@pool/contracts';
import { ChangeBatches } from '../batches/change-batches.js';
import { clip } from '../commands/bounded-error.js';
import { CommandError } from '../commands/command-errors.js';
import { CommandService } from '../commands/command-service.js';
import { toCommandError } from '../commands/domain-errors.js';
import { commandOrThrow } from '../commands/parse-command.js';
import { natsPrincipal, requireOwnHost } from './nats-sender.js';
import { RefusedBody } from './plain-json.codec.js';

/**
 * The body of a request on `<root>.<pool>.cmd.<role>.<user>.<CommandType>`: the command's data
 * plus what REST carries in headers (command id for idempotency, expected version, the host
 * barrier).
 */
export interface NatsCommandRequest extends CommandEnvelope {
  data: unknown;
}

/**
 * No `actor`: the log records who the transport vouches for, never who the caller says it is;
 * an `actor` is refused as UNKNOWN_FIELDS and the log records the subject's user (nats-sender).
 */
const ENVELOPE_KEYS = new Set(['data', 'commandId', 'expectedVersion', 'wait', 'waitTimeoutMs']);

/**
 * Builds the NATS command controller for one subject root. The pattern is only known from
 * config, so the class is made per root rather than decorated statically.
 */
export function natsCommandsController(root: string): Type<unknown> {
  @Controller()
  class NatsCommandsController {
    constructor(
      @Inject(CommandService) private readonly commands: CommandService,
      @Inject(ChangeBatches) private readonly batches: ChangeBatches,
    ) {}

    @MessagePattern(subjects(root).allCommands)
    async handle(@Payload() body: unknown, @Ctx() ctx: NatsContext): Promise<CommandReply> {
      try {
        const target = parseCommandSubject(ctx.getSubject());
        if (!target)
          throw new CommandError(400, 'BAD_SUBJECT', `Unknown subject ${ctx.getSubject()}.`);
        // Before anything else: a sender without the role learns nothing of its request's flaws.
        const principal = natsPrincipal(target.sender, target.name);
        const request = parseRequest(body);
        const { data, ...envelope } = request;
        if (isBatchType(target.name)) {
          const batch = { ...envelope, actor: principal.name };
          const result = await this.batches.run(target.name, target.pool, data, batch);
          return { ok: true, result };
        }
        // A subject token may hold anything but '.', ' ' and wildcards (a NUL included, which
        // PostgreSQL refuses mid-query): its pool id is parsed like a URL's or a gRPC field's.
        const command = commandOrThrow(target.pool, target.name, data);
        requireOwnHost(target.sender, command.type, command.data);
        const result = await this.commands.execute(target.pool, command, {
          ...envelope,
          actor: principal.name,
        });
        return { ok: true, result };
      } catch (error) {
        return { ok: false, error: toCommandError(error).toWire() };
      }
    }

    /** The subject commands had before they named their sender: answered, never run. */
    @MessagePattern(subjects(root).unsignedCommands)
    unsigned(): CommandReply {
      return {
        ok: false,
        error: new CommandError(
          400,
          'BAD_SUBJECT',
          `A command's subject names its sender: ${root}.<pool>.cmd.<role>.<user>.<CommandType>, ` +
            'the role and NATS user the server lets you publish as.',
        ).toWire(),
      };
    }
  }
  return NatsCommandsController;
}

function parseRequest(body: unknown): NatsCommandRequest {
  if (body instanceof RefusedBody) throw body.error;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new CommandError(
      400,
      'BODY_NOT_OBJECT',
      'The request body must be a JSON object with a `data` field.',
    );
  }
  const unknown = Object.keys(body).filter((k) => !ENVELOPE_KEYS.has(k));
  if (unknown.length) {
    throw new CommandError(
      400,
      'UNKNOWN_FIELDS',
      `The request has unknown fields ${unknown
        .slice(0, 5)
        .map((key) => clip(key))
        .join(', ')}` +
        `${unknown.length > 5 ? ` (and ${unknown.length - 5} more)` : ''}; command data goes under \`data\`.`,
    );
  }
  const r = body as NatsCommandRequest;
  if (
    r.commandId !== undefined &&
    (typeof r.commandId !== 'string' || !/^[\x21-\x7e]{1,128}$/.test(r.commandId))
  ) {
    throw new CommandError(400, 'BAD_COMMAND_ID', 'commandId must be 1–128 printable characters.');
  }
  if (
    r.expectedVersion !== undefined &&
    (!Number.isSafeInteger(r.expectedVersion) || r.expectedVersion < 0)
  ) {
    throw new CommandError(
      400,
      'BAD_EXPECTED_VERSION',
      'expectedVersion must be a non-negative integer.',
    );
  }
  if (r.wait !== undefined && r.wait !== 'hosts') {
    throw new CommandError(400, 'BAD_WAIT', "wait must be 'hosts' when given.");
  }
  if (
    r.waitTimeoutMs !== undefined &&
    (!Number.isInteger(r.waitTimeoutMs) || r.waitTimeoutMs < 1 || r.waitTimeoutMs > 600_000)
  ) {
    throw new CommandError(
      400,
      'BAD_WAIT_TIMEOUT',
      'waitTimeoutMs must be an integer from 1 to 600000.',
    );
  }
  return r;
}
