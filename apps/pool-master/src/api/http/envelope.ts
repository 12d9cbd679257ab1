import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { type CommandEnvelope } from '@pool/contracts';
import { principalOf } from '@pool/platform';
import type { FastifyRequest } from 'fastify';
import { CommandError } from '../../commands/command-errors.js';

/*
 * What a REST command carries besides its data, read from headers and query the way the NATS
 * transport reads it from the request body, with the same limits.
 */

/** 1–128 printable ASCII characters without spaces, as the NATS transport's `commandId`. */
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,128}$/;
/** A strong entity tag `"<version>"` (what the ETag header gives) or the bare number. */
const IF_MATCH = /^(?:"(\d{1,15})"|(\d{1,15}))$/;
const TIMEOUT_MS = /^\d{1,6}$/;
export const MAX_WAIT_TIMEOUT_MS = 600_000;
const QUERY_KEYS = new Set(['wait', 'timeoutMs']);

type Headers = Record<string, string | string[] | undefined>;

export function parseEnvelope(headers: Headers, query: Record<string, unknown>): CommandEnvelope {
  const envelope: CommandEnvelope = {};
  const key = headers['idempotency-key'];
  if (key !== undefined) {
    if (typeof key !== 'string' || !IDEMPOTENCY_KEY.test(key)) {
      throw new CommandError(
        400,
        'BAD_IDEMPOTENCY_KEY',
        'Idempotency-Key must be 1–128 printable ASCII characters without spaces.',
      );
    }
    envelope.commandId = key;
  }
  const version = parseIfMatch(headers['if-match']);
  if (version !== undefined) envelope.expectedVersion = version;
  return { ...envelope, ...parseWait(query) };
}

/** `*` matches any version, so it constrains nothing. */
function parseIfMatch(value: string | string[] | undefined): number | undefined {
  if (value === undefined || value === '*') return undefined;
  const match = typeof value === 'string' ? IF_MATCH.exec(value.trim()) : null;
  if (!match) {
    throw new CommandError(
      400,
      'BAD_IF_MATCH',
      'If-Match must be one pool version, as the ETag header gives it: "12" (or 12).',
    );
  }
  return Number(match[1] ?? match[2]);
}

function parseWait(
  query: Record<string, unknown>,
): Pick<CommandEnvelope, 'wait' | 'waitTimeoutMs'> {
  const unknown = Object.keys(query).filter((k) => !QUERY_KEYS.has(k));
  if (unknown.length > 0) {
    // A mistyped `wiat=hosts` must not silently return before the hosts converged.
    throw new CommandError(
      400,
      'UNKNOWN_QUERY_PARAMETER',
      `Unknown query parameter(s) ${unknown.join(', ')}; commands take wait=hosts and timeoutMs.`,
      { parameters: unknown },
    );
  }
  const { wait, timeoutMs } = query;
  if (wait === undefined) {
    if (timeoutMs !== undefined) {
      throw new CommandError(400, 'BAD_WAIT_TIMEOUT', 'timeoutMs only applies with wait=hosts.');
    }
    return {};
  }
  if (wait !== 'hosts') throw new CommandError(400, 'BAD_WAIT', "wait must be 'hosts' when given.");
  if (timeoutMs === undefined) return { wait };
  const ms = typeof timeoutMs === 'string' && TIMEOUT_MS.test(timeoutMs) ? Number(timeoutMs) : 0;
  if (ms < 1 || ms > MAX_WAIT_TIMEOUT_MS) {
    throw new CommandError(
      400,
      'BAD_WAIT_TIMEOUT',
      `timeoutMs must be an integer from 1 to ${MAX_WAIT_TIMEOUT_MS}.`,
    );
  }
  return { wait, waitTimeoutMs: ms };
}

/**
 * The request's `CommandEnvelope`: Idempotency-Key, If-Match, ?wait=hosts&timeoutMs=, and the
 * token's name as the actor the log records (none in open mode: the log says anonymous).
 */
export const Envelope = createParamDecorator(
  (_data: unknown, ctx: ExecutionContext): CommandEnvelope => {
    const request = ctx.switchToHttp().getRequest<FastifyRequest>();
    const envelope = parseEnvelope(
      request.headers,
      (request.query ?? {}) as Record<string, unknown>,
    );
    const principal = principalOf(request);
    return principal ? { ...envelope, actor: principal.name } : envelope;
  },
);
